/**
 * Lets esbuild drop the zod schemas a function never uses. zod marks its own functions
 * side-effect free (`z.string()`, `z.strictObject(...)`), but a method call such as
 * `.check(z.minLength(1))` cannot be marked, so esbuild keeps every schema a module declares,
 * and every schema it keeps is built when the bundle loads: the send-by-tag bundle built 634
 * schemas at load, 256 of them for routes and endpoints of other functions (issue 13).
 *
 * This marks each call whose callee starts at `z.` as `/* @__PURE__ *\/` in our own modules
 * that import zod/mini: building a schema has no effect beyond its value. It leaves alone
 * `z.config(...)` (a global setting) and any call that is a statement of its own, whose value is
 * unused by definition (a `z.object(...).parse(x);` kept for its throw must never be dropped).
 * It uses TypeScript's parser rather than a pattern, so strings, comments and types are safe.
 *
 * It also empties each route's `answers` (shared/http/route.ts): the schemas of successful
 * answers only document the API (scripts/openapi.ts reads them from the source) and type-check
 * `run`; nothing in a function reads them, and building them cost the media function 76 of its
 * 298 schemas at load. Emptied, they are unused, and the PURE marks let esbuild drop them.
 */
import { readFile } from 'node:fs/promises';
import type { Plugin } from 'esbuild';
import ts from 'typescript';

const PURE = '/* @__PURE__ */ ';

/** The root identifier of a callee chain: `z` for `z.string().check`, `schema` for `schema.parse`. */
function rootOf(expression: ts.Expression): ts.Expression {
  let at = expression;
  while (ts.isPropertyAccessExpression(at) || ts.isCallExpression(at)) at = at.expression;
  return at;
}

/** Whether the value of `node` is used, not only computed for what computing it does. */
function valueIsUsed(node: ts.Node): boolean {
  let child = node;
  let parent = node.parent;
  while (
    ts.isParenthesizedExpression(parent) ||
    ts.isAsExpression(parent) ||
    ts.isSatisfiesExpression(parent) ||
    ts.isNonNullExpression(parent)
  ) {
    child = parent;
    parent = parent.parent;
  }
  if (ts.isExpressionStatement(parent) || ts.isVoidExpression(parent) || ts.isAwaitExpression(parent)) return false;
  const discardedByComma =
    ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.CommaToken && parent.left === child;
  return !discardedByComma;
}

/** Source positions where PURE goes: before every `z.…(…)` call not excluded above. */
export function pureSchemaPositions(source: string, fileName = 'module.ts'): number[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true);
  const positions = new Set<number>();
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const root = rootOf(node.expression);
      const isZod = ts.isIdentifier(root) && root.text === 'z';
      const isConfig =
        ts.isPropertyAccessExpression(node.expression) &&
        node.expression.expression === root &&
        node.expression.name.text === 'config';
      // The outermost call of a chain decides: `z.string().check(...)` as a whole.
      const isOutermost = !(ts.isPropertyAccessExpression(node.parent) && ts.isCallExpression(node.parent.parent));
      if (isZod && !isConfig && isOutermost && valueIsUsed(node)) {
        positions.add(node.getStart(file));
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return [...positions].sort((a, b) => a - b);
}

/** The source ranges of the `answers` values in `defineRoute({...})` calls. */
export function routeAnswersRanges(source: string, fileName = 'module.ts'): Array<[number, number]> {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true);
  const ranges: Array<[number, number]> = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'defineRoute') {
      const [spec] = node.arguments;
      if (spec && ts.isObjectLiteralExpression(spec)) {
        for (const property of spec.properties) {
          if (ts.isPropertyAssignment(property) && ts.isIdentifier(property.name) && property.name.text === 'answers') {
            ranges.push([property.initializer.getStart(file), property.initializer.getEnd()]);
          }
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return ranges;
}

/** `source` with every route's `answers` emptied to `{}`. */
export function dropRouteAnswers(source: string, fileName?: string): string {
  let out = '';
  let from = 0;
  for (const [start, end] of routeAnswersRanges(source, fileName)) {
    out += `${source.slice(from, start)}{}`;
    from = end;
  }
  return out + source.slice(from);
}

export function markPureSchemas(source: string, fileName?: string): string {
  let out = '';
  let from = 0;
  for (const at of pureSchemaPositions(source, fileName)) {
    out += source.slice(from, at) + PURE;
    from = at;
  }
  return out + source.slice(from);
}

/**
 * The esbuild plugin: our own .ts modules that import zod/mini marked as above, and routes'
 * `answers` emptied.
 */
export function pureSchemas(sharedDir: string): Plugin {
  return {
    name: 'pure-schemas',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, async (args) => {
        if (!args.path.startsWith(sharedDir)) return undefined;
        const source = await readFile(args.path, 'utf8');
        const routes = source.includes('defineRoute(');
        const schemas = source.includes("from 'zod/mini'");
        if (!routes && !schemas) return undefined;
        const answered = routes ? dropRouteAnswers(source, args.path) : source;
        return { contents: schemas ? markPureSchemas(answered, args.path) : answered, loader: 'ts' };
      });
    },
  };
}
