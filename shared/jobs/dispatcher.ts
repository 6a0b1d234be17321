import { randomUUID } from 'node:crypto';
import type { Logger } from '../log';
import { takeClaim } from '../store/claim';
import type { Store } from '../store/store';
import type { AccessTokenProvider } from '../wechat/access-token';
import type { WeChatClient } from '../wechat/client';
import { batchClientMsgId } from './batches';
import { nextBeijingMidnight } from './beijing-day';
import { collectGarbage } from './collect-garbage';
import { type BatchRecord, type JobRecord, jobKeys, TERMINAL_BATCH_STATES } from './job-model';
import { activeJobIds, readBatch, readJob, removeActive, updateJob, writeBatch } from './job-repository';
import type { MassSendLimit } from './mass-send-limit';
import { sendBatch } from './send-batch';
import { checkReports, watchReports } from './report-check';

export interface DispatcherDeps {
  store: Store;
  appId: string;
  now: () => number;
  log: Logger;
  client: WeChatClient;
  /** The batch's token is in hand before its permit is taken (see sendOne). */
  tokens: AccessTokenProvider;
  limit: MassSendLimit;
}

export interface DispatchOptions {
  /** Milliseconds this invocation has left (SCF context, or the function's timeout). */
  remainingMs: () => number;
  /** A job handed over by the Invoke API: looked at first. */
  jobId?: string;
  /** Start no batch with less time left than this: a send with a token refresh takes ~35 s. */
  reserveMs?: number;
  /** How long a claim protects a batch from other dispatchers; past the longest call. */
  claimLeaseMs?: number;
  /** An unknown batch is retried no sooner (WeChat answers 45066 within a minute of a send). */
  retryUnknownAfterMs?: number;
  /** Wait this long at most for a free minute slot; longer waits are left to the next run. */
  maxSlotWaitMs?: number;
}

export type StopReason = 'idle' | 'time' | 'minute_limit' | 'day_limit' | 'unavailable';

export interface DispatchSummary {
  calls: number;
  sent: number;
  failed: number;
  unknown: number;
  stopped: StopReason;
  jobs: Array<{ id: string; state: JobRecord['state'] }>;
  /** mass/get calls for batches without a MASSSENDJOBFINISH report. */
  statusChecks?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One dispatcher run: sends the due batches of every active job under the shared mass-send
 * limit until nothing is due, a limit is reached or the time runs out. Safe to run in several
 * containers at once and to kill at any point (see job-model.ts): a batch is claimed in the
 * store before its call, and a claim that outlives its dispatcher is retried with the batch's
 * own clientmsgid, so WeChat itself refuses to send it twice.
 */
export async function runDispatcher(deps: DispatcherDeps, options: DispatchOptions): Promise<DispatchSummary> {
  const {
    remainingMs,
    reserveMs = 15_000,
    claimLeaseMs = 90_000,
    retryUnknownAfterMs = 61_000,
    maxSlotWaitMs = 3_000,
  } = options;
  const { store, appId, now, log } = deps;
  const summary: DispatchSummary = { calls: 0, sent: 0, failed: 0, unknown: 0, stopped: 'idle', jobs: [] };

  const active = await activeJobIds(deps);
  const order =
    options.jobId && active.includes(options.jobId)
      ? [options.jobId, ...active.filter((id) => id !== options.jobId)]
      : active;

  for (const jobId of order) {
    const job = await readJob(deps, jobId);
    if (!job || job.state === 'done' || job.state === 'cancelled' || job.state === 'building') {
      if (job?.state !== 'building') await removeActive(deps, jobId);
      continue;
    }
    const due = await makeRunning(job);
    if (!due) {
      summary.jobs.push({ id: jobId, state: job.state });
      continue;
    }
    const stop = await runJob(due);
    const after = await readJob(deps, jobId);
    if (after) summary.jobs.push({ id: jobId, state: after.state });
    if (stop) {
      summary.stopped = stop;
      break;
    }
  }
  // Batches whose MASSSENDJOBFINISH never came: mass/get, a few per run, when time is left.
  if (remainingMs() > reserveMs) summary.statusChecks = await checkReports(deps, 20);
  log.info('dispatcher run finished', { ...summary, jobs: summary.jobs.length });
  return summary;

  /** A scheduled or paused job whose time has come becomes running; undefined while not due. */
  async function makeRunning(job: JobRecord): Promise<JobRecord | undefined> {
    const at = now();
    if (job.state === 'running') return job;
    if (job.state === 'scheduled' && (job.sendAt ?? 0) > at) return undefined;
    if (job.state === 'paused' && (job.pausedUntil ?? 0) > at) return undefined;
    return updateJob(deps, job.id, (current) => {
      if (current.state !== 'scheduled' && current.state !== 'paused') {
        return { result: current.state === 'running' ? current : undefined };
      }
      const { pausedUntil: _until, pauseReason: _reason, ...rest } = current;
      const next: JobRecord = { ...rest, state: 'running' };
      log.info('job running', { jobId: job.id, was: current.state });
      return { job: next, result: next };
    });
  }

  /** Sends what is due of one job; the reason to stop the whole run, if any. */
  async function runJob(job: JobRecord): Promise<StopReason | undefined> {
    const batches = job.batches ?? 0;
    await watchReports(deps, job.id);
    let open = 0;
    for (let n = 0; n < batches; n++) {
      const batch = await readBatch(deps, job.id, n);
      if (!batch) throw new Error(`batch ${n} of job ${job.id} is missing from the store`);
      if (TERMINAL_BATCH_STATES.has(batch.state)) continue;
      open += 1;
      if (remainingMs() < reserveMs) return 'time';
      if (batch.state !== 'pending' && now() - (batch.lastAttemptAt ?? 0) < retryUnknownAfterMs) continue;
      // Cancelled meanwhile: stop before the next batch.
      const current = await readJob(deps, job.id);
      if (current?.state !== 'running') return undefined;
      const stop = await sendOne(current, n);
      if (stop === 'done') open -= 1;
      else if (stop) return stop;
    }
    // Batches another dispatcher held may have finished meanwhile: look once more.
    if (open === 0 || (await allFinished(job.id, batches))) await finish(job.id);
    return undefined;
  }

  async function allFinished(jobId: string, batches: number): Promise<boolean> {
    for (let n = 0; n < batches; n++) {
      const batch = await readBatch(deps, jobId, n);
      if (!batch || !TERMINAL_BATCH_STATES.has(batch.state)) return false;
    }
    return true;
  }

  async function sendOne(job: JobRecord, n: number): Promise<StopReason | 'done' | undefined> {
    const claimKey = jobKeys.batchClaim(appId, job.id, n);
    const owner = randomUUID();
    if (!(await takeClaim(store, claimKey, owner, claimLeaseMs)).ours) return undefined;
    try {
      // Read again under the claim: another dispatcher may have finished it meanwhile.
      const batch = await readBatch(deps, job.id, n);
      if (!batch || TERMINAL_BATCH_STATES.has(batch.state)) return 'done';
      if (batch.state !== 'pending' && now() - (batch.lastAttemptAt ?? 0) < retryUnknownAfterMs) return undefined;
      // The permit counts against WeChat's 100 calls a day: taken only with a token in hand, so
      // that a broken AppSecret or IP whitelist does not spend the day on runs that send nothing.
      const accessToken = deps.tokens.get();
      const noToken = await accessToken.then(
        () => undefined,
        (err: unknown) => err,
      );
      if (noToken !== undefined) {
        log.warn('batch not sent: no access token', { jobId: job.id, batch: n, err: noToken });
        return 'unavailable';
      }
      const permit = await takePermit();
      if (permit !== undefined) {
        if (permit.limit === 'day') await pause(job.id, permit.until, 'daily_limit');
        return permit.limit === 'day' ? 'day_limit' : 'minute_limit';
      }
      const attempt: BatchRecord = {
        ...batch,
        state: 'claimed',
        attempts: batch.attempts + 1,
        lastAttemptAt: now(),
      };
      await writeBatch(deps, job.id, n, attempt);
      log.info('batch claimed', { jobId: job.id, batch: n, attempt: attempt.attempts });
      const text = job.audience ? '' : await store.get(jobKeys.batchOpenIds(appId, job.id, n));
      if (text === null) throw new Error(`the OpenIDs of batch ${n} of job ${job.id} are missing from the store`);
      // A scheduled send by tag carries the job's own clientMsgId, as the send would have.
      const clientMsgId = job.audience ? job.clientMsgId : batchClientMsgId(job.clientMsgId, n);
      log.info('batch sending', { jobId: job.id, batch: n, clientMsgId, size: attempt.size });
      summary.calls += 1;
      const outcome = await sendBatch(
        deps.client,
        {
          ...(job.audience ? { audience: job.audience } : { openIds: text.split('\n') }),
          message: job.message,
          clientMsgId,
        },
        accessToken,
      );
      log.info('batch answered', { jobId: job.id, batch: n, outcome: outcome.kind });
      switch (outcome.kind) {
        case 'sent':
          summary.sent += 1;
          await writeBatch(deps, job.id, n, {
            ...attempt,
            state: 'sent',
            msgId: outcome.msgId,
            sentAt: now(),
            ...(outcome.duplicate ? { duplicate: true } : {}),
          });
          // The OpenIDs are not needed once WeChat has the batch.
          await store.delete(jobKeys.batchOpenIds(appId, job.id, n));
          break;
        case 'awaiting_confirmation':
          summary.sent += 1;
          await writeBatch(deps, job.id, n, { ...attempt, state: 'awaiting_confirmation', errcode: outcome.errcode });
          break;
        case 'failed':
          summary.failed += 1;
          await writeBatch(deps, job.id, n, { ...attempt, state: 'failed', errcode: outcome.errcode });
          break;
        case 'unknown':
          summary.unknown += 1;
          await writeBatch(deps, job.id, n, { ...attempt, state: 'unknown' });
          break;
        case 'not_sent':
          await writeBatch(deps, job.id, n, { ...batch });
          if (outcome.stop === 'day') {
            await deps.limit.exhaustToday();
            await pause(job.id, nextBeijingMidnight(now()), 'wechat_45009');
            return 'day_limit';
          }
          return outcome.stop === 'minute' ? 'minute_limit' : 'unavailable';
      }
      log.info('batch recorded', { jobId: job.id, batch: n, state: outcome.kind });
      await collectGarbage();
      return outcome.kind === 'unknown' ? undefined : 'done';
    } finally {
      await store.compareAndDelete(claimKey, owner);
    }
  }

  /** undefined when a call may be made now; else the limit that stops it. */
  async function takePermit(): Promise<{ limit: 'minute' | 'day'; until: number } | undefined> {
    for (;;) {
      const permit = await deps.limit.take();
      if (permit.ok) return undefined;
      const canWait = permit.retryAfterMs <= maxSlotWaitMs && remainingMs() - permit.retryAfterMs > reserveMs;
      if (permit.limit === 'day' || !canWait) return { limit: permit.limit, until: permit.until };
      await sleep(permit.retryAfterMs);
    }
  }

  async function pause(jobId: string, until: number, reason: string): Promise<void> {
    await updateJob(deps, jobId, (current) => {
      if (current.state !== 'running') return { result: undefined };
      log.info('job paused', { jobId, until: new Date(until).toISOString(), reason });
      return { job: { ...current, state: 'paused', pausedUntil: until, pauseReason: reason }, result: undefined };
    });
  }

  async function finish(jobId: string): Promise<void> {
    await updateJob(deps, jobId, (current) => {
      if (current.state !== 'running') return { result: undefined };
      log.info('job done', { jobId });
      return { job: { ...current, state: 'done', finishedAt: now() }, result: undefined };
    });
    await removeActive(deps, jobId);
  }
}
