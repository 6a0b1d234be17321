import type { Logger } from '../log';
import { readMassReport } from '../reports/mass-report-store';
import type { Store } from '../store/store';
import type { WeChatClient } from '../wechat/client';
import { massGet } from '../wechat/endpoints';
import { readBatch, readJob, writeBatch } from './job-repository';
import { updateLocked } from './locked-update';

/**
 * WeChat pushes MASSSENDJOBFINISH near the end of each send, and sometimes never. A sent batch
 * with no recorded report after REPORT_WAIT_MS is asked about with mass/get (its msg_status:
 * SENDING, SEND_SUCCESS, SEND_FAIL, DELETE), again at most every REPORT_WAIT_MS while it is
 * SENDING, for a day at most. mass/get is not a mass send: the shared limit does not count it.
 */
export const REPORT_WAIT_MS = 10 * 60_000;
const GIVE_UP_MS = 24 * 3_600_000;
const FINAL = new Set(['SEND_SUCCESS', 'SEND_FAIL', 'DELETE']);

export interface ReportCheckDeps {
  store: Store;
  appId: string;
  now: () => number;
  log: Logger;
  client: WeChatClient;
}

const reportingKey = (appId: string) => `jobs:${appId}:reporting`;

/** Remembers a job whose sent batches may need a mass/get. */
export function watchReports(deps: ReportCheckDeps, jobId: string): Promise<void> {
  return updateLocked(deps.store, reportingKey(deps.appId), (raw) => {
    const ids = raw === null ? [] : (JSON.parse(raw) as string[]);
    return { value: ids.includes(jobId) ? undefined : JSON.stringify([...ids, jobId]), result: undefined };
  });
}

/** Asks mass/get about at most `budget` batches; the number of calls made. */
export async function checkReports(deps: ReportCheckDeps, budget: number): Promise<number> {
  const { store, appId, now, log } = deps;
  const raw = await store.get(reportingKey(appId));
  const jobIds = raw === null ? [] : (JSON.parse(raw) as string[]);
  let calls = 0;
  const settled: string[] = [];
  for (const jobId of jobIds) {
    const job = await readJob(deps, jobId);
    if (!job || now() - (job.finishedAt ?? now()) > GIVE_UP_MS) {
      settled.push(jobId);
      continue;
    }
    let open = false;
    for (let n = 0; n < (job.batches ?? 0); n++) {
      const batch = await readBatch(deps, jobId, n);
      if (batch?.state !== 'sent' || !batch.msgId || FINAL.has(batch.msgStatus ?? '')) continue;
      if (await readMassReport(store, appId, batch.msgId).catch(() => null)) continue;
      open = true;
      const since = batch.checkedAt ?? batch.sentAt ?? 0;
      if (now() - since < REPORT_WAIT_MS || calls >= budget) continue;
      calls += 1;
      try {
        const reply = await deps.client.call(massGet, { msg_id: batch.msgId as never });
        await writeBatch(deps, jobId, n, { ...batch, msgStatus: reply.msg_status, checkedAt: now() });
        log.info('batch status asked', { jobId, batch: n, msgStatus: reply.msg_status });
      } catch (err) {
        log.warn('mass/get for a batch failed; asked again later', { jobId, batch: n, err });
        await writeBatch(deps, jobId, n, { ...batch, checkedAt: now() });
      }
    }
    // A job still sending keeps its place: its later batches come to be checked too.
    if (!open && (job.state === 'done' || job.state === 'cancelled')) settled.push(jobId);
  }
  if (settled.length > 0) {
    await updateLocked(store, reportingKey(appId), (current) => {
      const ids = current === null ? [] : (JSON.parse(current) as string[]);
      return { value: JSON.stringify(ids.filter((id) => !settled.includes(id))), result: undefined };
    });
  }
  return calls;
}
