import { build } from 'esbuild';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_OPTIONS } from '../../scripts/build';
import { dropRouteAnswers, markPureSchemas, pureSchemas, sideEffectFreeExports } from '../../scripts/pure-schemas';
import { distDir } from '../support/dist';

const run = promisify(execFile);
const PURE = '/* @__PURE__ */ ';

describe('markPureSchemas', () => {
  it('marks each whole zod chain, arguments included', () => {
    expect(markPureSchemas('const A = z.string().check(z.minLength(1));')).toBe(
      `const A = ${PURE}z.string().check(${PURE}z.minLength(1));`,
    );
    expect(markPureSchemas('export const B = z.strictObject({ a: z.optional(A) });')).toBe(
      `export const B = ${PURE}z.strictObject({ a: ${PURE}z.optional(A) });`,
    );
  });

  it('leaves z.config, statements whose value is unused, strings, comments and types alone', () => {
    const untouched = [
      'z.config(en());',
      'z.object({}).parse(input);',
      'await z.object({}).parseAsync(input);',
      'void z.string().parse(input);',
      "const s = 'z.string()'; // z.number()",
      'type T = z.infer<typeof A>;',
      'const n = schema.parse(input);',
    ];
    for (const source of untouched) expect(markPureSchemas(source), source).toBe(source);
  });
});

describe('calls of side-effect-free imports', () => {
  it("finds a module's exported functions marked @__NO_SIDE_EFFECTS__, and only those", () => {
    const source = [
      '/* @__NO_SIDE_EFFECTS__ */',
      'export function limit(n: number) { return n; }',
      '/* @__NO_SIDE_EFFECTS__ */',
      'export const arrow = (n: number) => n;',
      '/* @__NO_SIDE_EFFECTS__ */',
      'function local(n: number) { return n; }',
      'export function plain(n: number) { return local(n); }',
      '// @__NO_SIDE_EFFECTS__',
      'export function lineComment() {}',
    ].join('\n');
    expect([...sideEffectFreeExports(source)].sort()).toEqual(['arrow', 'limit', 'lineComment']);
  });

  it('marks calls of the imports vouched for, under the same exclusions as zod calls', () => {
    const source = [
      "import { limit, plain as renamed } from './limits';",
      "import { limit as other } from './elsewhere';",
      'const A = limit(1);',
      'const B = renamed(2);',
      'const C = other(3);',
      'limit(4);',
    ].join('\n');
    const sideEffectFree = (specifier: string, name: string) => specifier === './limits' && name === 'limit';
    expect(markPureSchemas(source, 'module.ts', { zod: false, sideEffectFree })).toBe(
      source.replace('const A = limit(1)', `const A = ${PURE}limit(1)`),
    );
  });
});

describe('dropRouteAnswers', () => {
  it("empties each route's answers and nothing else", () => {
    const source = [
      'export const routes = [',
      "  defineRoute({ path: '/a', body: A, answers: { 200: Sent, 202: Accepted }, run }),",
      "  defineRoute({ path: '/b', answers: B_ANSWERS, responses: { 200: 'answers: { 200: X }' } }),",
      '];',
      'const other = { answers: { 200: Kept } };',
    ].join('\n');
    expect(dropRouteAnswers(source)).toBe(
      [
        'export const routes = [',
        "  defineRoute({ path: '/a', body: A, answers: {}, run }),",
        "  defineRoute({ path: '/b', answers: {}, responses: { 200: 'answers: { 200: X }' } }),",
        '];',
        'const other = { answers: { 200: Kept } };',
      ].join('\n'),
    );
  });
});

describe('the pure-schemas build plugin', () => {
  let dir: string;
  /** Writes one module of the temporary directory, a line per entry. */
  const source = (name: string, lines: string[]) => writeFile(join(dir, name), lines.join('\n'));
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pure-schemas-'));
    await source('schemas.ts', [
      "import * as z from 'zod/mini';",
      "export const Used = z.string().check(z.minLength(1, 'USED-MESSAGE'));",
      "export const Unused = z.string().check(z.minLength(1, 'UNUSED-MESSAGE'));",
      "export const Answer = z.string().check(z.minLength(1, 'ANSWER-MESSAGE'));",
      'export function assertPositive(n: unknown) {',
      "  z.number().check(z.positive('ASSERTED-MESSAGE')).parse(n);",
      '}',
    ]);
    await source('entry.ts', [
      "import { Used, assertPositive } from './schemas';",
      'export const run = (v: unknown) => (assertPositive(v), Used.parse(String(v)));',
    ]);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  /** Bundles `entry` of the temporary directory with the plugin; the bundle's text. */
  async function bundle(entry: string): Promise<{ outfile: string; text: string }> {
    const outfile = join(dir, entry.replace(/\.ts$/, '.js'));
    await build({
      entryPoints: [join(dir, entry)],
      ...BUNDLE_OPTIONS,
      outfile,
      nodePaths: [resolve(import.meta.dirname, '../../node_modules')],
      logLevel: 'error',
      plugins: [pureSchemas(dir)],
    });
    return { outfile, text: readFileSync(outfile, 'utf8') };
  }

  it("drops the schemas only a route's answers name, and keeps its body's", async () => {
    await source('routes.ts', [
      "import { Answer, Used } from './schemas';",
      'const defineRoute = <T>(spec: T) => spec;',
      'export const routes = [defineRoute({ body: Used, answers: { 200: Answer } })];',
    ]);
    const { text } = await bundle('routes.ts');
    expect(text).toContain('USED-MESSAGE');
    expect(text).not.toContain('ANSWER-MESSAGE');
  });

  it('drops a schema nobody uses, keeps the used one and a parse kept for its throw', async () => {
    const { outfile, text } = await bundle('entry.ts');
    expect(text).toContain('USED-MESSAGE');
    expect(text).not.toContain('UNUSED-MESSAGE');
    const probe =
      `const {run}=require(${JSON.stringify(outfile)});run(3);` +
      "try{run(-1);console.log('no throw')}catch(e){console.log('threw')}";
    const { stdout } = await run(process.execPath, ['-e', probe]);
    expect(stdout.trim()).toBe('threw');
  });

  it('drops a schema built with a side-effect-free helper from another module', async () => {
    await source('limits.ts', [
      "import * as z from 'zod/mini';",
      '/* @__NO_SIDE_EFFECTS__ */',
      'export function limited(max: number, message: string) {',
      '  return z.string().check(z.maxLength(max, message));',
      '}',
    ]);
    await source('limited.ts', [
      "import * as z from 'zod/mini';",
      "import { limited } from './limits';",
      "export const UsedLimited = z.object({ a: limited(3, 'USED-LIMIT') });",
      "export const UnusedLimited = z.object({ a: limited(3, 'UNUSED-LIMIT') });",
    ]);
    await source('limited-entry.ts', ["export { UsedLimited } from './limited';"]);
    const { text } = await bundle('limited-entry.ts');
    expect(text).toContain('USED-LIMIT');
    expect(text).not.toContain('UNUSED-LIMIT');
  });

  it("keeps another function's schemas out of a bundle: send-by-tag builds no media article list", () => {
    // MediaNewsRequest (shared/api/schemas.ts) belongs to the media function's routes.
    const message = 'must hold at most 8 articles';
    expect(readFileSync(join(distDir(), 'media', 'index.js'), 'utf8')).toContain(message);
    expect(readFileSync(join(distDir(), 'send-by-tag', 'index.js'), 'utf8')).not.toContain(message);
    // NewsArticleInput checks its title with maxChars (shared/api/limits.ts), imported from another module.
    expect(readFileSync(join(distDir(), 'media', 'index.js'), 'utf8')).toContain('showCoverPic');
    for (const name of ['send-by-tag', 'send-by-list', 'status']) {
      expect(readFileSync(join(distDir(), name, 'index.js'), 'utf8'), name).not.toContain('showCoverPic');
    }
  });

  it("keeps endpoints a function never calls out of its bundle: their schemas sit in memoize'd builders", () => {
    // draft/add's article schema (shared/wechat/endpoints.ts) is built through memoize, which
    // shared/runtime/memoize.ts declares free of side effects: only media calls that endpoint.
    const draftOnly = 'pic_crop_235_1';
    expect(readFileSync(join(distDir(), 'media', 'index.js'), 'utf8')).toContain(draftOnly);
    for (const name of ['speed', 'status', 'send-by-tag']) {
      expect(readFileSync(join(distDir(), name, 'index.js'), 'utf8'), name).not.toContain(draftOnly);
    }
  });
});
