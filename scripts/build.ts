/**
 * Bundles every functions/<name>/index.ts into dist/<name>/index.js: one self-contained
 * CommonJS file for SCF's Node.js runtime, nothing from node_modules at run time.
 * The SDKs and ioredis, which only some paths need, are bundled once each into dist/vendor/
 * (multi-scf deploys the whole of dist/ for every function).
 * Then writes dist/openapi.json, generated from the route table.
 */
import { type BuildOptions, build, type Plugin } from 'esbuild';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
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
// Each is bundled once on its own; a function bundle requires it (shared/runtime/load-lazily.ts)
// only on the path that needs it, so no other path parses it.
interface Vendor {
  module: string;
  file: string;
  plugins?: Plugin[];
}

/**
 * The Redis commands the ioredis vendor file defines methods for. ioredis defines two methods
 * (string and Buffer replies) on three prototypes for each of the 287 commands of
 * @ioredis/commands at load, about 40% of evaluating it (--cpu-prof, issue 13); a cold
 * container on Redis pays that before its first command. Kept:
 * - what shared/store/redis-*.ts sends: GET, SET, DEL, MGET, EVAL, XREAD (through `call`), QUIT;
 * - what ioredis sends by itself (its handshake, resubscription): AUTH, SELECT, CLIENT, INFO,
 *   PING, HELLO, READONLY, the (un)subscribe family. MULTI, EXEC, EVALSHA and SCRIPT went with
 *   pipelines, transactions and defineCommand (below).
 * A command not listed has no method (`redis.hset` is undefined) but still goes out through
 * `redis.call`; test/shared/store/redis-store-vendor.test.ts runs the store contract against
 * the built file and checks every method the store calls.
 */
export const IOREDIS_COMMANDS = [
  ...['get', 'set', 'del', 'mget', 'eval', 'xread', 'quit'],
  ...['auth', 'select', 'client', 'info', 'ping', 'hello', 'readonly'],
  ...['subscribe', 'psubscribe', 'ssubscribe', 'unsubscribe', 'punsubscribe', 'sunsubscribe'],
];

/**
 * What the ioredis vendor file leaves out or replaces:
 * - `debug`, which ioredis logs through when DEBUG=ioredis:* is set, by a logger that is never
 *   enabled: evaluating `debug` opens process.stderr and probes the terminal's colours (about 5 ms
 *   of a cold start), and ioredis's debug lines would carry the values it sends, our access token
 *   among them, into the function's log;
 * - node:assert, which redis-errors loads only to check two arguments of a parser error: loading
 *   it costs a cold start about 5 ms (--cpu-prof of `require('ioredis')`, issue 13);
 * - the command table, cut to IOREDIS_COMMANDS;
 * - Redis Cluster and Sentinel (their modules, and node:dns, which only they load): STORE_URL
 *   names one address that speaks the standalone protocol (Tencent Cloud Redis's standard
 *   edition, or its cluster edition's proxy, which routes by key); constructing either throws.
 * - pipelines and transactions (`pipeline()`, `multi()`), `defineCommand` (its Script) and
 *   `scanStream()`, which the store never uses (it sends each script with EVAL): their modules
 *   were about a tenth of evaluating the file (require() of each build, paired, 7.7 → 6.9 ms of
 *   CPU). `pipeline` and `multi` are then absent, and the other two throw.
 */
const NEVER_ENABLED_DEBUG =
  'function debug(namespace){const log=()=>{};log.enabled=false;log.namespace=namespace;log.log=()=>{};' +
  'log.destroy=()=>false;log.extend=(more)=>debug(namespace+":"+more);return log}' +
  'debug.default=debug;debug.enable=()=>{};debug.disable=()=>"";debug.enabled=()=>false;module.exports=debug;';
const ARGUMENT_CHECK =
  "function ok(value,message){if(!value)throw new Error(message||'redis-errors: assertion failed')}" +
  'ok.strictEqual=(a,b,message)=>ok(a===b,message);module.exports=ok;';
const notBundled = (what: string) =>
  `class NotBundled{constructor(){throw new Error(${JSON.stringify(`${what} is not in this build of ioredis`)})}}` +
  'module.exports={__esModule:true,default:NotBundled};';
const LEAN_MODULES: Record<string, string> = {
  debug: NEVER_ENABLED_DEBUG,
  assert: ARGUMENT_CHECK,
  cluster: notBundled('Redis Cluster'),
  sentinel: notBundled('Redis Sentinel'),
  Pipeline: notBundled('Pipeline'),
  Script: notBundled('defineCommand'),
  ScanStream: notBundled('scanStream'),
  // Redis.js adds pipeline(), multi() and exec() to its prototype through this at load.
  transaction: 'module.exports={__esModule:true,addTransactionSupport(){}};',
};
const fromIoredis = (importer: string) => /[\\/]ioredis[\\/]built[\\/]/.test(importer);
const ioredisLean: Plugin = {
  name: 'ioredis-lean',
  setup(b) {
    b.onResolve({ filter: /^debug$/ }, () => ({ path: 'debug', namespace: 'lean' }));
    b.onResolve({ filter: /^assert$/ }, (args) =>
      /[\\/]redis-errors[\\/]/.test(args.importer) ? { path: 'assert', namespace: 'lean' } : undefined,
    );
    b.onResolve({ filter: /^\.\/cluster$/ }, (args) =>
      fromIoredis(args.importer) ? { path: 'cluster', namespace: 'lean' } : undefined,
    );
    b.onResolve({ filter: /(^|\/)SentinelConnector$/ }, (args) =>
      fromIoredis(args.importer) ? { path: 'sentinel', namespace: 'lean' } : undefined,
    );
    b.onResolve({ filter: /^\.\.?\/(Pipeline|Script|ScanStream|transaction)$/ }, (args) =>
      fromIoredis(args.importer)
        ? { path: args.path.slice(args.path.lastIndexOf('/') + 1), namespace: 'lean' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'lean' }, (args) => ({ contents: LEAN_MODULES[args.path], loader: 'js' }));
    b.onLoad({ filter: /[\\/]@ioredis[\\/]commands[\\/]built[\\/]commands\.json$/ }, async (args) => {
      const table = JSON.parse(await readFile(args.path, 'utf8')) as Record<string, unknown>;
      const missing = IOREDIS_COMMANDS.filter((name) => !(name in table));
      if (missing.length > 0) throw new Error(`@ioredis/commands has no ${missing.join(', ')}`);
      return {
        contents: JSON.stringify(Object.fromEntries(IOREDIS_COMMANDS.map((n) => [n, table[n]]))),
        loader: 'json',
      };
    });
  },
};

export const VENDORS = {
  /** The SSM SDK (pulls tencentcloud-sdk-nodejs-common): only functions with WECHAT_SECRET_NAME. */
  ssm: { module: 'tencentcloud-sdk-nodejs-ssm', file: join('vendor', 'tencentcloud-ssm.js') },
  /**
   * The SCF SDK, for handing a job to the dispatcher, brings its own HTTP stack (node-fetch,
   * form-data): about 400 KB that only the hand-off needs.
   */
  scf: { module: 'tencentcloud-sdk-nodejs-scf', file: join('vendor', 'tencentcloud-scf.js') },
  /** ioredis (about 150 KB): only functions whose STORE_URL is redis: or rediss:, when the store opens. */
  ioredis: { module: 'ioredis', file: join('vendor', 'ioredis.js'), plugins: [ioredisLean] },
} satisfies Record<string, Vendor>;

/** Builds one vendor file (the bench's redis-client figure uses it too, to measure what ships). */
export function buildVendor(vendor: Vendor, outfile: string) {
  return build({
    stdin: { contents: `module.exports = require('${vendor.module}');`, resolveDir: root },
    outfile,
    ...BUNDLE_OPTIONS,
    // Warnings about third-party code are not ours to act on.
    logLevel: 'error',
    plugins: vendor.plugins ?? [],
  });
}

/** In the function bundles, each vendor module resolves to its file beside the bundle. */
const fromVendorFiles: Plugin = {
  name: 'from-vendor-files',
  setup(b) {
    const byModule = new Map(Object.values(VENDORS).map((v: Vendor) => [v.module, v.file]));
    const filter = new RegExp(`^(${[...byModule.keys()].join('|')})$`);
    b.onResolve({ filter }, (args) => ({ path: `../${byModule.get(args.path)}`, external: true }));
  },
};

/**
 * Bundles `entry` as a function is shipped: minified, vendor modules required from
 * `../vendor/` beside `outfile`, other functions' schemas dropped. The bench's token stampede
 * runs its containers from such a bundle, so that it measures the code that ships.
 */
export function bundleAsShipped(entry: string, outfile: string) {
  return build({
    entryPoints: [entry],
    outfile,
    ...BUNDLE_OPTIONS,
    plugins: [fromVendorFiles, pureSchemas(join(root, 'shared'))],
  });
}

/** Bundles every function into `outDir` (default dist/), and the vendor files beside them. */
export async function buildAll(
  outDir = DEFAULT_DIST,
): Promise<Array<{ name: string; bytes: number; gzipBytes: number }>> {
  const names = functionNames();
  await Promise.all([
    ...names.map((name) => bundleAsShipped(join(root, 'functions', name, 'index.ts'), join(outDir, name, 'index.js'))),
    ...Object.values(VENDORS).map((vendor) => buildVendor(vendor, join(outDir, vendor.file))),
  ]);
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
  for (const { file } of Object.values(VENDORS)) {
    const vendor = readFileSync(join(DEFAULT_DIST, file));
    console.log(`dist/${file}: ${vendor.length} bytes, ${gzipSync(vendor).length} gzip (required on its path only)`);
  }
  console.log('dist/openapi.json written');
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
