import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { functionNames } from '../scripts/build';
import { startRedisServer } from '../test/support/redis-server';
import { type BenchSandbox, functionEnv, startBenchSandbox } from './bench-sandbox';
import type { Cleanup } from './cleanup';
import { FIRST_INVOCATIONS, type InvocationContext } from './cold-start-invocations';
import { DEMO_MEDIA } from '../sandbox/server';
import { median, round } from './stats';
import { spawnTimed } from './spawn-timed';
import { PEAK_RSS_KIB } from './peak-rss';

export interface ColdStartOptions {
  distDir: string;
  runs: number;
  cleanup: Cleanup;
  progress: (line: string) => void;
}

export interface StoreTiming {
  /** Median spawn-to-exit of a fresh node that loads the bundle and answers one invocation. */
  medianMs: number;
  /** That median minus the empty node's median in the same run. */
  overEmptyNodeMs: number;
  samplesMs: number[];
  /** Median peak resident set (the child's own VmHWM at exit, bench/peak-rss.ts), MiB. */
  peakRssMiB: number;
  peakRssSamplesMiB: number[];
}

export interface FunctionColdStart {
  name: string;
  bytes: number;
  gzipBytes: number;
  invoked: string;
  memory?: StoreTiming;
  redis?: StoreTiming;
  /** redis.medianMs − memory.medianMs: what opening the Redis store adds to a cold start. */
  redisExtraMs?: number;
  failure?: string;
}

export interface ColdStartResult {
  runs: number;
  emptyNode: { command: string; medianMs: number; samplesMs: number[]; peakRssMiB: number };
  /** A second reference: a fresh node that makes one fetch() to the sandbox and exits. */
  nodeWithOneFetch: {
    command: string;
    medianMs: number;
    overEmptyNodeMs: number;
    samplesMs: number[];
    peakRssMiB: number;
  };
  /** A third: the same request with node:http, as the functions now make it. */
  nodeWithOneHttpRequest: {
    command: string;
    medianMs: number;
    overEmptyNodeMs: number;
    samplesMs: number[];
    peakRssMiB: number;
  };
  functions: FunctionColdStart[];
}

// Loads the bundle with plain require() as SCF's Node.js runtime does, invokes it once,
// reports on fd 1 synchronously and exits at once: the process's life is the cold start.
// bench/instructions.ts runs the same driver under valgrind.
export const DRIVER = `const fs=require('fs');const[,bundle,event,expect]=process.argv;
const done=(code,info)=>{info.maxRssKiB=${PEAK_RSS_KIB};
fs.writeSync(1,'\\n@@bench '+JSON.stringify(info)+'\\n');process.exit(code)};
let h;try{h=require(bundle).main_handler}catch(e){done(3,{error:'require failed: '+(e&&e.message)})}
Promise.resolve().then(()=>h(JSON.parse(event),{request_id:'bench-cold-start'})).then(r=>{
const ok=expect==='timer'?!!(r&&r.ok===true):expect==='dispatch'?!!(r&&typeof r.stopped==='string'):
!!(r&&r.statusCode>=200&&r.statusCode<300);
done(ok?0:1,{status:r&&r.statusCode,body:String(r&&r.body!==undefined?r.body:JSON.stringify(r)).slice(0,300)})},
e=>done(2,{error:String(e&&e.name)+': '+String(e&&e.message)}))`;

type StoreKind = 'memory' | 'redis';

export function bundleSize(distDir: string, name: string): { bytes: number; gzipBytes: number } {
  const source = readFileSync(join(distDir, name, 'index.js'));
  return { bytes: source.length, gzipBytes: gzipSync(source).length };
}

function lastReport(stdout: string): string {
  const line = stdout
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('@@bench '));
  return line ? line.slice('@@bench '.length) : `no report (stdout: ${stdout.slice(-200)})`;
}

/** Two finished sends in the sandbox: one for `status` to look up, one for `delete` to delete. */
export async function sendsToInvokeOn(bench: BenchSandbox): Promise<{ statusMsgId: string; deleteMsgId: string }> {
  const statusMsgId = await bench.sendDirect({
    filter: { is_to_all: false, tag_id: 100 },
    msgtype: 'text',
    text: { content: 'bench status' },
  });
  const deleteMsgId = await bench.sendDirect({
    filter: { is_to_all: false, tag_id: 100 },
    msgtype: 'mpnews',
    mpnews: { media_id: DEMO_MEDIA.service.news },
  });
  bench.sandbox.finishJobs();
  return { statusMsgId, deleteMsgId };
}

export async function measureColdStarts(options: ColdStartOptions): Promise<ColdStartResult> {
  const { distDir, runs, cleanup, progress } = options;
  const bench = await startBenchSandbox(cleanup);
  const redis = await startRedisServer();
  cleanup.defer('redis-server (cold start)', () => redis.stop());
  const envs: Record<StoreKind, Record<string, string>> = {
    memory: functionEnv(bench.sandbox.url, 'memory:'),
    redis: functionEnv(bench.sandbox.url, redis.url),
  };
  const { statusMsgId, deleteMsgId } = await sendsToInvokeOn(bench);

  const names = functionNames().filter((name) => existsSync(join(distDir, name, 'index.js')));
  const rows = new Map<string, FunctionColdStart>();
  const samples = new Map<string, number[]>();
  for (const name of names)
    rows.set(name, {
      name,
      ...bundleSize(distDir, name),
      invoked: FIRST_INVOCATIONS[name] ? '' : 'nothing: no first invocation defined',
    });
  const tokenUrl = JSON.stringify(`${bench.sandbox.url}/cgi-bin/stable_token`);
  // The references report their own peak RSS at exit, as the functions' driver does.
  const rssOnExit =
    "process.on('exit',()=>require('fs').writeSync(1," +
    `'\\n@@bench '+JSON.stringify({maxRssKiB:${PEAK_RSS_KIB}})+'\\n'));`;
  const references = {
    empty: { script: rssOnExit, ms: [] as number[], rss: [] as number[] },
    fetch: {
      script:
        `${rssOnExit}fetch(${tokenUrl},{method:'POST',headers:{'content-type':'application/json'},body:'{}'})` +
        '.then(r=>r.text()).then(()=>process.exit(0),()=>process.exit(1))',
      ms: [] as number[],
      rss: [] as number[],
    },
    http: {
      script:
        `${rssOnExit}require('http').request(${tokenUrl},{method:'POST',headers:{'content-type':'application/json'}},` +
        "r=>{r.resume();r.on('end',()=>process.exit(0))}).on('error',()=>process.exit(1)).end('{}')",
      ms: [] as number[],
      rss: [] as number[],
    },
  };
  const emptyEnv = { PATH: envs.memory.PATH! };
  const rssSamples = new Map<string, number[]>();
  let counter = 0;

  async function once(name: string, store: StoreKind, timed: boolean): Promise<void> {
    const row = rows.get(name)!;
    const build = FIRST_INVOCATIONS[name];
    if (!build || row.failure) return;
    counter += 1;
    const ctx: InvocationContext = {
      statusMsgId,
      deleteMsgId,
      runKey: `${store}-${counter}-${Date.now()}`,
      runNumber: 9_000_000_000 + counter,
    };
    const invocation = build(ctx);
    row.invoked = invocation.describe;
    const exit = await spawnTimed(
      ['-e', DRIVER, join(distDir, name, 'index.js'), JSON.stringify(invocation.event), invocation.expect],
      envs[store],
    );
    if (exit.code !== 0) {
      const stderr = exit.stderr ? ` ${exit.stderr.slice(-200)}` : '';
      row.failure = `${store} store: exit ${exit.code}: ${lastReport(exit.stdout)}${stderr}`;
      return;
    }
    if (timed) {
      const key = `${name}\n${store}`;
      samples.set(key, [...(samples.get(key) ?? []), exit.ms]);
      rssSamples.set(key, [...(rssSamples.get(key) ?? []), peakRssMiB(exit.stdout)]);
    }
  }

  // One untimed round warms the page cache; then rounds interleave the empty node with every
  // function and store, so drift in machine load hits baseline and bundles alike.
  for (let round = 0; round <= runs; round += 1) {
    const timed = round > 0;
    for (const [kind, reference] of Object.entries(references)) {
      const exit = await spawnTimed(['-e', reference.script], emptyEnv);
      if (exit.code !== 0) throw new Error(`reference node (${kind}) failed: ${exit.stderr.slice(-300)}`);
      if (timed) {
        reference.ms.push(exit.ms);
        reference.rss.push(peakRssMiB(exit.stdout));
      }
    }
    for (const store of ['memory', 'redis'] as const) {
      for (const name of names) await once(name, store, timed);
    }
    if (timed && (round % 5 === 0 || round === runs)) progress(`cold start: ${round}/${runs} rounds`);
  }

  const emptyMedian = median(references.empty.ms);
  const timing = (name: string, store: StoreKind): StoreTiming | undefined => {
    const list = samples.get(`${name}\n${store}`);
    if (!list || list.length === 0) return undefined;
    const m = median(list);
    const rss = rssSamples.get(`${name}\n${store}`) ?? [];
    return {
      medianMs: round(m),
      overEmptyNodeMs: round(m - emptyMedian),
      samplesMs: list.map((s) => round(s)),
      peakRssMiB: round(median(rss)),
      peakRssSamplesMiB: rss.map((s) => round(s)),
    };
  };
  const functions = [...rows.values()].map((row) => {
    const memory = timing(row.name, 'memory');
    const redisTiming = timing(row.name, 'redis');
    return {
      ...row,
      ...(memory ? { memory } : {}),
      ...(redisTiming ? { redis: redisTiming } : {}),
      ...(memory && redisTiming ? { redisExtraMs: round(redisTiming.medianMs - memory.medianMs) } : {}),
    };
  });
  const reference = (command: string, r: { ms: number[]; rss: number[] }) => ({
    command,
    medianMs: round(median(r.ms)),
    overEmptyNodeMs: round(median(r.ms) - emptyMedian),
    samplesMs: r.ms.map((s) => round(s)),
    peakRssMiB: round(median(r.rss)),
  });
  return {
    runs,
    emptyNode: {
      command: 'node -e ""',
      medianMs: round(emptyMedian),
      samplesMs: references.empty.ms.map((s) => round(s)),
      peakRssMiB: round(median(references.empty.rss)),
    },
    nodeWithOneFetch: reference('node -e "fetch(<sandbox>/cgi-bin/stable_token)…"', references.fetch),
    nodeWithOneHttpRequest: reference(
      'node -e "require(\'http\').request(<sandbox>/cgi-bin/stable_token)…"',
      references.http,
    ),
    functions,
  };
}

/** The child's own peak RSS (VmHWM, KiB: bench/peak-rss.ts), from its @@bench line. */
function peakRssMiB(stdout: string): number {
  const report = JSON.parse(lastReport(stdout).startsWith('{') ? lastReport(stdout) : '{}') as { maxRssKiB?: number };
  return (report.maxRssKiB ?? Number.NaN) / 1024;
}
