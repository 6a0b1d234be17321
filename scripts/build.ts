/**
 * Bundles every functions/<name>/index.ts into dist/<name>/index.js: one self-contained
 * CommonJS file for SCF's Node.js runtime, nothing from node_modules at run time.
 * The SSM SDK, which only functions with WECHAT_SECRET_NAME load, is bundled once on its own
 * into dist/vendor/tencentcloud-ssm.js (multi-scf deploys the whole of dist/ for every function).
 * Then writes dist/openapi.json, generated from the route table.
 */
import { type BuildOptions, build, type Plugin } from 'esbuild';
import { createRequire } from 'node:module';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeOpenApi } from './openapi';
import { pureSchemas } from './pure-schemas';

const root = resolve(import.meta.dirname, '..');

export function functionNames(): string[] {
  const dir = join(root, 'functions');
  return readdirSync(dir)
    .filter((name) => existsSync(join(dir, name, 'index.ts')))
    .sort();
}

export const DEFAULT_DIST = join(root, 'dist');

/** How every file we ship is bundled: one minified CommonJS file for SCF's Node.js runtime. */
export const BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  // SCF's Node.js 18 runtime is the oldest this product supports.
  target: 'node18',
  format: 'cjs',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
} satisfies BuildOptions;

// dist/vendor/ has no index.js, so neither the local gateway nor a function list takes it for one.
// multi-scf uploads all of dist/ for every function, so one copy of a vendor file serves them all.
export const SSM_VENDOR_FILE = join('vendor', 'tencentcloud-ssm.js');

/**
 * The SCF SDK (tencentcloud-sdk-nodejs-scf, for handing a job to the dispatcher) brings its own
 * HTTP stack (node-fetch, form-data): about 400 KB that only the hand-off needs. It is bundled
 * once into dist/vendor/, and the functions that may hand off require it on the first hand-off
 * only, so no function loads or even parses it before then. esbuild would otherwise inline it
 * into every API bundle.
 */
export const SCF_VENDOR_FILE = join('vendor', 'tencentcloud-scf.js');
const scfSdkAside = vendorPlugin('tencentcloud-sdk-nodejs-scf', SCF_VENDOR_FILE);

/**
 * ioredis (about 150 KB) is needed only by functions whose STORE_URL is redis: or rediss:, so it
 * is bundled once into dist/vendor/ioredis.js and required when the Redis store opens: a
 * function on memory: or file: never even parses it. Two of its dependencies are replaced:
 * - `debug`, which ioredis logs through when DEBUG=ioredis:* is set, by a logger that is never
 *   enabled: evaluating `debug` opens process.stderr and probes the terminal's colours (about 5 ms
 *   of a cold start), and ioredis's debug lines would carry the values it sends, our access token
 *   among them, into the function's log;
 * - node:assert, which redis-errors loads only to check two arguments of a parser error: loading
 *   it costs a cold start about 5 ms (--cpu-prof of `require('ioredis')`, issue 13).
 */
export const IOREDIS_VENDOR_FILE = join('vendor', 'ioredis.js');
const ioredisFromVendor = vendorPlugin('ioredis', IOREDIS_VENDOR_FILE);
const NEVER_ENABLED_DEBUG =
  'function debug(namespace){const log=()=>{};log.enabled=false;log.namespace=namespace;log.log=()=>{};' +
  'log.destroy=()=>false;log.extend=(more)=>debug(namespace+":"+more);return log}' +
  'debug.default=debug;debug.enable=()=>{};debug.disable=()=>"";debug.enabled=()=>false;module.exports=debug;';
const ARGUMENT_CHECK =
  "function ok(value,message){if(!value)throw new Error(message||'redis-errors: assertion failed')}" +
  'ok.strictEqual=(a,b,message)=>ok(a===b,message);module.exports=ok;';
export const ioredisLean: Plugin = {
  name: 'ioredis-lean',
  setup(b) {
    b.onResolve({ filter: /^debug$/ }, () => ({ path: 'debug', namespace: 'lean' }));
    b.onResolve({ filter: /^assert$/ }, (args) =>
      /[\\/]redis-errors[\\/]/.test(args.importer) ? { path: 'assert', namespace: 'lean' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'lean' }, (args) => ({
      contents: args.path === 'debug' ? NEVER_ENABLED_DEBUG : ARGUMENT_CHECK,
      loader: 'js',
    }));
  },
};

/** Builds the ioredis vendor file (also the bench's redis-client figure, so it measures what ships). */
export function buildIoredisVendor(outfile: string) {
  return build({
    stdin: { contents: "module.exports = require('ioredis');", resolveDir: root },
    outfile,
    ...BUNDLE_OPTIONS,
    plugins: [ioredisLean],
  });
}

/** Resolves `module` to the vendor file beside the bundle, required only when the code runs. */
function vendorPlugin(module: string, file: string): Plugin {
  const filter = new RegExp(`^${module}$`);
  return {
    name: `${module}-from-vendor`,
    setup(b) {
      b.onResolve({ filter }, () => ({ path: `../${file}`, external: true }));
    },
  };
}

// `import('tencentcloud-sdk-nodejs-ssm')` in shared/secrets/ssm-client.ts becomes a require of
// the vendor file beside the bundle, evaluated only when that code runs.
const ssmFromVendor = vendorPlugin('tencentcloud-sdk-nodejs-ssm', SSM_VENDOR_FILE);

/** Bundles every function into `outDir` (default dist/). */
export async function buildAll(
  outDir = DEFAULT_DIST,
): Promise<Array<{ name: string; bytes: number; gzipBytes: number }>> {
  const names = functionNames();
  await build({
    stdin: { contents: "module.exports = require('tencentcloud-sdk-nodejs-ssm');", resolveDir: root },
    outfile: join(outDir, SSM_VENDOR_FILE),
    ...BUNDLE_OPTIONS,
  });
  await Promise.all(
    names.map((name) =>
      build({
        entryPoints: [join(root, 'functions', name, 'index.ts')],
        outfile: join(outDir, name, 'index.js'),
        ...BUNDLE_OPTIONS,
        plugins: [scfSdkAside, ssmFromVendor, ioredisFromVendor, pureSchemas(join(root, 'shared'))],
      }),
    ),
  );
  await buildIoredisVendor(join(outDir, IOREDIS_VENDOR_FILE));
  await build({
    entryPoints: [createRequire(import.meta.url).resolve('tencentcloud-sdk-nodejs-scf')],
    outfile: join(outDir, SCF_VENDOR_FILE),
    ...BUNDLE_OPTIONS,
    logLevel: 'error',
  });
  return names.map((name) => {
    const file = join(outDir, name, 'index.js');
    return { name, bytes: statSync(file).size, gzipBytes: gzipSync(readFileSync(file)).length };
  });
}

/** Everything `npm run build` writes: the bundles and openapi.json, into `outDir` (default dist/). */
export async function buildDist(outDir = DEFAULT_DIST) {
  const sizes = await buildAll(outDir);
  await writeOpenApi(join(outDir, 'openapi.json'));
  return sizes;
}

async function main() {
  const sizes = await buildDist();
  const width = Math.max(...sizes.map((s) => s.name.length), 8);
  console.log(`${'function'.padEnd(width)}  ${'bytes'.padStart(9)}  ${'gzip'.padStart(8)}`);
  for (const { name, bytes, gzipBytes } of sizes) {
    console.log(`${name.padEnd(width)}  ${String(bytes).padStart(9)}  ${String(gzipBytes).padStart(8)}`);
  }
  const vendor = readFileSync(join(DEFAULT_DIST, SSM_VENDOR_FILE));
  console.log(
    `${SSM_VENDOR_FILE}: ${vendor.length} bytes, ${gzipSync(vendor).length} gzip (loaded only with WECHAT_SECRET_NAME)`,
  );
  console.log('dist/openapi.json written');
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
