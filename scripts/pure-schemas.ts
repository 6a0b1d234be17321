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
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
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

/**
 * Whether the function a module imports as `name` from `specifier` is declared side-effect free
 * there. esbuild honours `/* @__NO_SIDE_EFFECTS__ *\/` only on calls in the declaring file, so a
 * schema in another module built with such a helper (`maxChars(32)`) was kept, and built at load,
 * in every bundle that imported the module: send-by-tag built the media function's article schema.
 */
export type SideEffectFreeImport = (specifier: string, name: string) => boolean;

export interface PureOptions {
  /** Mark `z.…` calls (default true; the plugin says whether the module imports zod/mini). */
  zod?: boolean;
  sideEffectFree?: SideEffectFreeImport;
}

/** The local names of the imports `isSideEffectFree` vouches for. */
function sideEffectFreeLocals(file: ts.SourceFile, isSideEffectFree: SideEffectFreeImport): Set<string> {
  const locals = new Set<string>();
  for (const statement of file.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const bindings = statement.importClause?.namedBindings;
    if (!bindings || !ts.isNamedImports(bindings) || statement.importClause?.isTypeOnly) continue;
    for (const element of bindings.elements) {
      const imported = (element.propertyName ?? element.name).text;
      if (isSideEffectFree(statement.moduleSpecifier.text, imported)) locals.add(element.name.text);
    }
  }
  return locals;
}

const NO_SIDE_EFFECTS = '@__NO_SIDE_EFFECTS__';

/** The exported functions (declarations or `const f = (…) =>`) marked side-effect free. */
export function sideEffectFreeExports(source: string, fileName = 'module.ts'): Set<string> {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true);
  const names = new Set<string>();
  const marked = (node: ts.Node) =>
    (ts.getLeadingCommentRanges(source, node.pos) ?? []).some((range) =>
      source.slice(range.pos, range.end).includes(NO_SIDE_EFFECTS),
    );
  const exported = (node: ts.Node) =>
    ts.canHaveModifiers(node) && !!ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  for (const statement of file.statements) {
    if (!exported(statement) || !marked(statement)) continue;
    if (ts.isFunctionDeclaration(statement) && statement.name) names.add(statement.name.text);
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        const init = declaration.initializer;
        if (ts.isIdentifier(declaration.name) && init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init))) {
          names.add(declaration.name.text);
        }
      }
    }
  }
  return names;
}

/**
 * Source positions where PURE goes: before every `z.…(…)` call not excluded above, and before
 * each call of an imported function `isSideEffectFree` vouches for, under the same exclusions.
 */
export function pureSchemaPositions(source: string, fileName = 'module.ts', options: PureOptions = {}): number[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true);
  const positions = new Set<number>();
  const { zod = true, sideEffectFree } = options;
  const pureLocals = sideEffectFree ? sideEffectFreeLocals(file, sideEffectFree) : new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      if (ts.isIdentifier(node.expression) && pureLocals.has(node.expression.text) && valueIsUsed(node)) {
        positions.add(node.getStart(file));
      }
      const root = rootOf(node.expression);
      const isZod = zod && ts.isIdentifier(root) && root.text === 'z';
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

export function markPureSchemas(source: string, fileName?: string, options?: PureOptions): string {
  let out = '';
  let from = 0;
  for (const at of pureSchemaPositions(source, fileName, options)) {
    out += source.slice(from, at) + PURE;
    from = at;
  }
  return out + source.slice(from);
}

/**
 * The esbuild plugin: our own .ts modules that import zod/mini marked as above, and routes'
 * `answers` emptied, and calls of our own side-effect-free functions imported from another module
 * marked too.
 */
export function pureSchemas(sharedDir: string): Plugin {
  const exportsOf = new Map<string, ReadonlySet<string>>();
  const sideEffectFree = (importer: string, specifier: string, name: string): boolean => {
    if (!specifier.startsWith('.')) return false;
    const base = resolve(dirname(importer), specifier);
    const path = [`${base}.ts`, join(base, 'index.ts')].find((candidate) => existsSync(candidate));
    if (!path?.startsWith(sharedDir)) return false;
    let names = exportsOf.get(path);
    if (!names) {
      names = sideEffectFreeExports(readFileSync(path, 'utf8'), path);
      exportsOf.set(path, names);
    }
    return names.has(name);
  };
  return {
    name: 'pure-schemas',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, async (args) => {
        if (!args.path.startsWith(sharedDir)) return undefined;
        const source = await readFile(args.path, 'utf8');
        const routes = source.includes('defineRoute(');
        const answered = routes ? dropRouteAnswers(source, args.path) : source;
        const marked = markPureSchemas(answered, args.path, {
          zod: source.includes("from 'zod/mini'"),
          sideEffectFree: (specifier, name) => sideEffectFree(args.path, specifier, name),
        });
        return marked === source ? undefined : { contents: marked, loader: 'ts' };
      });
    },
  };
}
