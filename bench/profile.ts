/**
 * `npx tsx bench/profile.ts callback|status`: the bench's warm figure for one function, run
 * against unminified bundles under V8's CPU profiler (node:inspector, as `node --cpu-prof`
 * records), printing the functions that take the most time inside the bundle, self and
 * inclusive. Writes /tmp/<name>.cpuprofile for Chrome DevTools. Issue 13's notes come from it.
 */
import { build } from 'esbuild';
import { readdirSync, writeFileSync } from 'node:fs';
import { Session, type Profiler } from 'node:inspector';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type ApiOverheadResult, measureApiOverhead } from './api-overhead';
import { type CallbackThroughputResult, measureCallbackThroughput } from './callback-throughput';
import { createCleanup } from './cleanup';

const root = resolve(import.meta.dirname, '..');
const which = process.argv[2] ?? '';
const API_WARMUP = 200;
if (which !== 'callback' && which !== 'status') throw new Error('usage: bench/profile.ts callback|status');

function post<T>(session: Session, method: string): Promise<T> {
  return new Promise((ok, fail) => session.post(method, (err, result) => (err ? fail(err) : ok(result as T))));
}

/** Self and inclusive time per function, counting only samples with a bundle frame on the stack. */
function summarize(profile: Profiler.Profile, marker: string, requests: number, top = 20): string[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const label = (id: number) => {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    return `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${lineNumber + 1}`;
  };
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  const deltas = profile.timeDeltas ?? [];
  (profile.samples ?? []).forEach((id, i) => {
    const chain: number[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) chain.push(at);
    if (!chain.some((at) => byId.get(at)!.callFrame.url.includes(marker))) return;
    const us = deltas[i] ?? 0;
    total += us;
    self.set(label(id), (self.get(label(id)) ?? 0) + us);
    for (const name of new Set(chain.map(label))) inclusive.set(name, (inclusive.get(name) ?? 0) + us);
  });
  const rows = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(
        ([name, us]) =>
          `${(us / 1000).toFixed(1).padStart(8)} ms ${((100 * us) / total).toFixed(1).padStart(5)}% ` +
          `${(us / requests).toFixed(2).padStart(7)} µs/request  ${name}`,
      );
  return [
    `${(total / 1000).toFixed(0)} ms with ${marker} on the stack, ${requests} requests: ` +
      `${(total / requests).toFixed(1)} µs each (the profiler slows everything down)`,
    '-- self',
    ...rows(self),
    '-- inclusive',
    ...rows(inclusive),
  ];
}

/** Requests that ran through the profiled bundle in this process (the status container is a child). */
function requestCount(result: CallbackThroughputResult | ApiOverheadResult): number {
  if ('pushes' in result) return result.pushes + 1;
  return result.handlerOnly.requests + API_WARMUP;
}

async function main() {
  const dist = join(tmpdir(), 'wechat-mass-send-profile');
  for (const name of readdirSync(join(root, 'functions'))) {
    await build({
      entryPoints: [join(root, 'functions', name, 'index.ts')],
      outfile: join(dist, name, 'index.js'),
      bundle: true,
      platform: 'node',
      target: 'node18',
      format: 'cjs',
      logLevel: 'warning',
    });
  }
  const cleanup = createCleanup();
  const session = new Session();
  session.connect();
  await post(session, 'Profiler.enable');
  await post(session, 'Profiler.start');
  const result =
    which === 'callback'
      ? await measureCallbackThroughput({ distDir: dist, durationMs: 3_000, batchSize: 2_000 })
      : await measureApiOverhead({ distDir: dist, requests: 2_000, concurrency: 8, warmup: API_WARMUP, cleanup });
  const { profile } = await post<{ profile: Profiler.Profile }>(session, 'Profiler.stop');
  await cleanup.run();
  writeFileSync(join(tmpdir(), `${which}.cpuprofile`), JSON.stringify(profile));
  const ratio = 'ratio' in result ? result.ratio : result.handlerOnlyThroughputRatio;
  console.log(`${which}: ratio ${ratio} (unminified bundle, profiler attached)`);
  console.log(summarize(profile, join(dist, which), requestCount(result)).join('\n'));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
