import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import type { Cleanup } from './cleanup';
import { PEAK_RSS_KIB } from './peak-rss';
import { fmt, type Section } from './table';

const run = promisify(execFile);

export interface JobSplitResult {
  openIds: number;
  append: { ms: number; maxRssMb: number };
  start: { ms: number; maxRssMb: number; batches: number };
  set: { ms: number; maxRssMb: number };
  emptyNodeRssMb: number;
}

/**
 * Time and peak memory to split and store a job of `count` OpenIDs, each step a fresh node on
 * the file store: appending them in chunks of 100,000, then starting the job (deduplicating
 * into the compact OpenIdSet, cutting 100 batches, writing them). Beside it, the same OpenIDs
 * in a plain JavaScript Set, which is what the compact set avoids.
 */
export async function measureJobSplit(options: { count: number; cleanup: Cleanup }): Promise<JobSplitResult> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-jobs-'));
  options.cleanup.defer('job split directory', () => rm(dir, { recursive: true, force: true }));
  const worker = join(dir, 'worker.js');
  await build({
    entryPoints: [join(import.meta.dirname, 'job-split-worker.ts')],
    outfile: worker,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    logLevel: 'warning',
  });
  const store = join(dir, 'store');
  const once = async (mode: string) => {
    const { stdout } = await run(process.execPath, [worker, mode, store, String(options.count)], {
      maxBuffer: 1 << 20,
    });
    return JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, number>;
  };
  const append = await once('append');
  const start = await once('start');
  const set = await once('set');
  const { stdout } = await run(process.execPath, ['-e', `console.log(${PEAK_RSS_KIB} / 1024)`]);
  return {
    openIds: options.count,
    append: { ms: append.ms!, maxRssMb: append.maxRssMb! },
    start: { ms: start.ms!, maxRssMb: start.maxRssMb!, batches: start.batches! },
    set: { ms: set.ms!, maxRssMb: set.maxRssMb! },
    emptyNodeRssMb: Number(stdout.trim()),
  };
}

export function jobSplitSection(r: JobSplitResult): Section {
  const mb = (n: number) => `${n.toFixed(1)} MB`;
  return {
    title: `5. Jobs: split and store ${fmt.int(r.openIds)} OpenIDs (file store, a fresh node per step)`,
    headers: ['step', 'time', 'peak RSS', 'what'],
    rows: [
      [
        'append',
        fmt.ms(r.append.ms, 0),
        mb(r.append.maxRssMb),
        `create + ${Math.ceil(r.openIds / 100_000)} chunks of 100,000`,
      ],
      [
        'start',
        fmt.ms(r.start.ms, 0),
        mb(r.start.maxRssMb),
        `deduplicate (OpenIdSet), ${r.start.batches} batches written`,
      ],
      ['JavaScript Set (reference)', fmt.ms(r.set.ms, 0), mb(r.set.maxRssMb), 'the same OpenIDs in a new Set()'],
      ['empty node (baseline)', '—', mb(r.emptyNodeRssMb), 'node -e with nothing to do'],
    ],
    notes: [
      "peak RSS is the step's own process's VmHWM (bench/peak-rss.ts);" +
        " the dispatcher's peak is measured by test/jobs/million.test.ts",
    ],
  };
}
