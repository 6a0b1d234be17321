/**
 * One measurement of bench/job-split.ts in a process of its own, so its peak memory is its own:
 *   node job-split-worker.js <append|start|set> <storeDir> <count>
 * Prints `{ms, maxRssMb, ...}` as its last line.
 */
import type { Message } from '../shared/api/message';
import { peakRssKiB } from './peak-rss';
import { appendChunk, createJob, MAX_CHUNK_OPENIDS, startJob } from '../shared/jobs/job-repository';
import { createFileStore } from '../shared/store/file-store';

const [mode, dir, countText] = process.argv.slice(2);
const count = Number(countText);
const openId = (i: number) => `oBENCH${String(i).padStart(22, '0')}`;
const deps = { store: createFileStore(dir!), appId: 'wx-bench', now: Date.now };

async function main() {
  const started = performance.now();
  let extra: Record<string, unknown> = {};
  if (mode === 'append') {
    const { job } = await createJob(deps, { clientMsgId: 'bench', message: { type: 'text', content: 'x' } as Message });
    for (let n = 0; n * MAX_CHUNK_OPENIDS < count; n++) {
      const size = Math.min(MAX_CHUNK_OPENIDS, count - n * MAX_CHUNK_OPENIDS);
      await appendChunk(
        deps,
        job.id,
        n,
        Array.from({ length: size }, (_, i) => openId(n * MAX_CHUNK_OPENIDS + i)),
      );
    }
    extra = { jobId: job.id };
  } else if (mode === 'start') {
    const { job } = await createJob(deps, { clientMsgId: 'bench', message: { type: 'text', content: 'x' } as Message });
    const started = await startJob(deps, job.id);
    extra = { batches: started.batches, openIds: started.openIds };
  } else {
    const set = new Set<string>();
    for (let i = 0; i < count; i++) set.add(openId(i));
    extra = { size: set.size };
  }
  const ms = performance.now() - started;
  console.log(JSON.stringify({ ms, maxRssMb: peakRssKiB() / 1024, ...extra }));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
