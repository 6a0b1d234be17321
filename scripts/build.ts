/**
 * Bundles every functions/<name>/index.ts into dist/<name>/index.js: one self-contained
 * CommonJS file for SCF's Node.js runtime, nothing from node_modules at run time.
 * Then writes dist/openapi.json when the OpenAPI generator exists.
 */
import { build } from 'esbuild';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');

export function functionNames(): string[] {
  const dir = join(root, 'functions');
  return readdirSync(dir)
    .filter((name) => existsSync(join(dir, name, 'index.ts')))
    .sort();
}

export async function buildAll(): Promise<Array<{ name: string; bytes: number; gzipBytes: number }>> {
  const names = functionNames();
  await Promise.all(
    names.map((name) =>
      build({
        entryPoints: [join(root, 'functions', name, 'index.ts')],
        outfile: join(root, 'dist', name, 'index.js'),
        bundle: true,
        platform: 'node',
        // SCF's Node.js 18 runtime is the oldest this product supports.
        target: 'node18',
        format: 'cjs',
        minify: true,
        sourcemap: false,
        legalComments: 'none',
        logLevel: 'warning',
      }),
    ),
  );
  return names.map((name) => {
    const file = join(root, 'dist', name, 'index.js');
    return { name, bytes: statSync(file).size, gzipBytes: gzipSync(readFileSync(file)).length };
  });
}

async function main() {
  const sizes = await buildAll();
  const width = Math.max(...sizes.map((s) => s.name.length), 8);
  console.log(`${'function'.padEnd(width)}  ${'bytes'.padStart(9)}  ${'gzip'.padStart(8)}`);
  for (const { name, bytes, gzipBytes } of sizes) {
    console.log(`${name.padEnd(width)}  ${String(bytes).padStart(9)}  ${String(gzipBytes).padStart(8)}`);
  }
  const openapi = join(root, 'scripts', 'openapi.ts');
  if (existsSync(openapi)) {
    const { writeOpenApi } = (await import(openapi)) as { writeOpenApi: (file: string) => Promise<void> };
    await writeOpenApi(join(root, 'dist', 'openapi.json'));
    console.log('dist/openapi.json written');
  }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
