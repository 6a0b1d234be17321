import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildVendor, VENDORS } from '../scripts/build';
import { startRedisServer } from '../test/support/redis-server';
import type { Cleanup } from './cleanup';
import { spawnTimed } from './spawn-timed';
import { PEAK_RSS_KIB } from './peak-rss';
import { median, round } from './stats';

export interface RedisClientCostOptions {
  runs: number;
  cleanup: Cleanup;
}

export interface RedisClientCostResult {
  runs: number;
  /** ioredis bundled alone as it ships (dist/vendor/ioredis.js, scripts/build.ts). */
  bundleBytes: number;
  /** Median spawn-to-exit of each step's fresh node, and its median peak RSS. */
  steps: Array<{ step: string; medianMs: number; peakRssMiB: number }>;
  /** Each step's median minus the previous one's. */
  evaluationMs: number;
  connectionMs: number;
  firstCommandMs: number;
}

// Each step's process reports its own peak RSS at exit; the steps differ only in how far they go.
const RSS = `process.on('exit',()=>require('fs').writeSync(1,'\\n@@rss '+${PEAK_RSS_KIB}+'\\n'));`;
// The options shared/store/redis-store.ts opens its connection with, but for the offline queue:
// the store waits for 'ready' before its first command, here the queue holds it until then.
const OPTIONS =
  '{connectTimeout:3000,commandTimeout:1500,maxRetriesPerRequest:2,enableAutoPipelining:false,enableReadyCheck:false,' +
  'disableClientInfo:true}';

/**
 * What ioredis costs a cold container on Redis, step by step in fresh processes: evaluating
 * its code, opening the connection, and the first command's answer. A function on `memory:`
 * or `file:` pays none of it (test/scripts/bundle-runtime.test.ts).
 */
export async function measureRedisClientCost(options: RedisClientCostOptions): Promise<RedisClientCostResult> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-ioredis-'));
  options.cleanup.defer('ioredis bundle', async () => rmSync(dir, { recursive: true, force: true }));
  const bundle = join(dir, 'ioredis.js');
  await buildVendor(VENDORS.ioredis, bundle);
  const redis = await startRedisServer();
  options.cleanup.defer('redis-server (redis client)', () => redis.stop());
  const load = `const Redis=require(${JSON.stringify(bundle)});`;
  const open = `${load}const r=new Redis(${JSON.stringify(redis.url)},${OPTIONS});r.on('error',()=>{});`;
  const steps = [
    { step: 'empty node', script: RSS },
    { step: 'evaluate ioredis', script: `${RSS}${load}` },
    { step: '+ connect', script: `${RSS}${open}r.once('connect',()=>process.exit(0));` },
    { step: '+ first command (GET)', script: `${RSS}${open}r.get('bench:none').then(()=>process.exit(0));` },
  ];
  const samples = steps.map(() => ({ ms: [] as number[], rss: [] as number[] }));
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
  for (let run = 0; run <= options.runs; run += 1) {
    for (const [i, { step, script }] of steps.entries()) {
      const exit = await spawnTimed(['-e', script], env);
      if (exit.code !== 0) throw new Error(`${step} failed: ${exit.stderr.slice(-300)}`);
      const rss = Number(/@@rss (\d+)/.exec(exit.stdout)?.[1] ?? Number.NaN) / 1024;
      // Round 0 warms the page cache and is not counted.
      if (run > 0) {
        samples[i]!.ms.push(exit.ms);
        samples[i]!.rss.push(rss);
      }
    }
  }
  const medians = samples.map((s) => median(s.ms));
  return {
    runs: options.runs,
    bundleBytes: statSync(bundle).size,
    steps: steps.map(({ step }, i) => ({
      step,
      medianMs: round(medians[i]!),
      peakRssMiB: round(median(samples[i]!.rss)),
    })),
    evaluationMs: round(medians[1]! - medians[0]!),
    connectionMs: round(medians[2]! - medians[1]!),
    firstCommandMs: round(medians[3]! - medians[2]!),
  };
}
