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
const scfSdkAside: Plugin = {
  name: 'scf-sdk-aside',
  setup(build) {
    build.onResolve({ filter: /^tencentcloud-sdk-nodejs-scf$/ }, () => ({
      path: `../${SCF_VENDOR_FILE}`,
      external: true,
    }));
  },
};

// `import('tencentcloud-sdk-nodejs-ssm')` in shared/secrets/ssm-client.ts becomes an import of
// the vendor file beside the bundle, evaluated only when that import runs.
const ssmFromVendor: Plugin = {
  name: 'ssm-from-vendor',
  setup(b) {
    b.onResolve({ filter: /^tencentcloud-sdk-nodejs-ssm$/ }, () => ({
      path: `../${SSM_VENDOR_FILE}`,
      external: true,
    }));
  },
};

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
        plugins: [scfSdkAside, ssmFromVendor],
      }),
    ),
  );
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
