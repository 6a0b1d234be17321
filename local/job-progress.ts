import { activeJobIds, readBatch, readJob } from '../shared/jobs/job-repository';
import type { Store } from '../shared/store/store';

/**
 * `npm start` prints one line per running job whenever its progress changes, e.g.
 * `job job_… running: 42/100 batches sent, 0 failed, 58 pending (1,000,000 OpenIDs)`.
 */
export function watchJobProgress(options: {
  store: Store;
  appId: string;
  log: (line: string) => void;
  everyMs?: number;
}): { stop(): Promise<void> } {
  const { store, appId, log, everyMs = 5_000 } = options;
  const deps = { store, appId, now: Date.now };
  const last = new Map<string, string>();
  let running: Promise<void> = Promise.resolve();
  const tick = async () => {
    for (const jobId of await activeJobIds(deps)) {
      const job = await readJob(deps, jobId);
      if (!job || job.state === 'building') continue;
      const counts = { sent: 0, failed: 0, pending: 0 };
      for (let n = 0; n < (job.batches ?? 0); n++) {
        const state = (await readBatch(deps, jobId, n))?.state;
        if (state === 'sent' || state === 'awaiting_confirmation') counts.sent += 1;
        else if (state === 'failed') counts.failed += 1;
        else counts.pending += 1;
      }
      const pause =
        job.state === 'paused' && job.pausedUntil
          ? ` until ${new Date(job.pausedUntil).toISOString()} (${job.pauseReason})`
          : '';
      const line =
        `job ${jobId} ${job.state}${pause}: ${counts.sent}/${job.batches} batches sent, ${counts.failed} failed, ` +
        `${counts.pending} pending (${(job.openIds ?? 0).toLocaleString('en')} OpenIDs)`;
      if (last.get(jobId) !== line) log(line);
      last.set(jobId, line);
    }
  };
  const timer = setInterval(() => {
    running = running.then(tick).catch(() => {});
  }, everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
