import { build } from 'esbuild';
import { join } from 'node:path';
import { measureCallbackThroughput } from './callback-throughput';
import { measureApiOverhead } from './api-overhead';
import { createCleanup } from './cleanup';
const dist = '/tmp/prof-dist';
const which = process.argv[2];
(async () => {
  for (const name of require('node:fs').readdirSync('functions')) {
    await build({ entryPoints: [join('functions', name, 'index.ts')], outfile: join(dist, name, 'index.js'), bundle: true, platform: 'node', target: 'node18', format: 'cjs', minify: false, logLevel: 'warning' });
  }
  const cleanup = createCleanup();
  if (which === 'callback') console.log(JSON.stringify(await measureCallbackThroughput({ distDir: dist, durationMs: 3000, batchSize: 2000 })));
  else { const r = await measureApiOverhead({ distDir: dist, requests: 2000, concurrency: 8, warmup: 200, cleanup }); console.log(r.handlerOnlyThroughputRatio, r.handlerOnly.perSecond, r.bare.perSecond); }
  await cleanup.run();
  process.exit(0);
})();
