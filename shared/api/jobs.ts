import { randomUUID } from 'node:crypto';
import type { Logger } from '../log';
import type { HandOff } from '../jobs/hand-off';
import type { JobRecord, TagAudience } from '../jobs/job-model';
import {
  appendChunk,
  cancelJob,
  createJob,
  MAX_CHUNK_OPENIDS,
  readBatch,
  requireJob,
  startJob,
} from '../jobs/job-repository';
import { readMassReport } from '../reports/mass-report-store';
import type { Store } from '../store/store';
import { resolveClientMsgId } from './idempotency';
import type { JobAcceptedResponse, JobStatusResponse } from './job-schemas';
import type { Message } from './message';

export interface JobDeps {
  store: Store;
  appId: string;
  now: () => number;
  log: Logger;
  handOff: HandOff;
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

function createdAnswer(job: JobRecord) {
  return {
    jobId: job.id,
    clientMsgId: job.clientMsgId,
    state: job.state,
    ...(job.sendAt ? { sendAt: iso(job.sendAt) } : {}),
  };
}

export async function createJobFromApi(
  deps: JobDeps,
  input: { message: Message; clientMsgId?: string; sendAt?: string },
  idempotencyKey?: string,
) {
  // No digest of the request here: two jobs with one message are different sends until their
  // lists are appended; without a clientMsgId or Idempotency-Key each create makes a new job.
  const clientMsgId =
    input.clientMsgId === undefined && idempotencyKey === undefined
      ? randomUUID()
      : resolveClientMsgId(input.clientMsgId, idempotencyKey, {});
  const { job, created } = await createJob(deps, {
    clientMsgId,
    message: input.message,
    ...(input.sendAt ? { sendAt: Date.parse(input.sendAt) } : {}),
  });
  return { created, body: createdAnswer(job) };
}

export async function appendOpenIds(deps: JobDeps, input: { jobId: string; chunk: number; openIds: string[] }) {
  const job = await appendChunk(deps, input.jobId, input.chunk, input.openIds);
  return { jobId: job.id, chunks: job.chunks, received: job.received };
}

/** Starts the job and hands it to the dispatcher when it is due now. */
export async function startJobFromApi(deps: JobDeps, jobId: string): Promise<JobAcceptedResponse> {
  const job = await startJob(deps, jobId);
  if (job.state === 'running') await deps.handOff.handOff(job.id);
  return acceptedAnswer(job);
}

function acceptedAnswer(job: JobRecord): JobAcceptedResponse {
  return {
    jobId: job.id,
    clientMsgId: job.clientMsgId,
    state: job.state,
    batches: job.batches ?? 0,
    ...(job.openIds === undefined || job.audience ? {} : { openIds: job.openIds }),
    ...(job.sendAt ? { sendAt: iso(job.sendAt) } : {}),
  };
}

/**
 * A send-by-list over 10,000 OpenIDs, or with a sendAt: the whole job in one request (create,
 * the list in chunks, start). Retried with the same clientMsgId it finds the same job.
 */
export async function sendListAsJob(
  deps: JobDeps,
  input: { openIds: readonly string[]; message: Message; clientMsgId: string; sendAt?: number },
): Promise<JobAcceptedResponse> {
  const { job } = await createJob(deps, {
    clientMsgId: input.clientMsgId,
    message: input.message,
    ...(input.sendAt ? { sendAt: input.sendAt } : {}),
  });
  if (job.state === 'building') {
    for (let n = 0; n * MAX_CHUNK_OPENIDS < input.openIds.length; n++) {
      await appendChunk(deps, job.id, n, input.openIds.slice(n * MAX_CHUNK_OPENIDS, (n + 1) * MAX_CHUNK_OPENIDS));
    }
  }
  return startJobFromApi(deps, job.id);
}

/** A send-by-tag with a sendAt: stored, and sent by the dispatcher when due. */
export async function scheduleTagSend(
  deps: JobDeps,
  input: { audience: TagAudience; message: Message; clientMsgId: string; sendAt: number },
): Promise<JobAcceptedResponse> {
  const { job } = await createJob(deps, input);
  return startJobFromApi(deps, job.id);
}

export async function cancelJobFromApi(deps: JobDeps, jobId: string): Promise<JobStatusResponse> {
  await cancelJob(deps, jobId);
  return jobStatus(deps, jobId);
}

export async function jobStatus(deps: JobDeps, jobId: string): Promise<JobStatusResponse> {
  const job = await requireJob(deps, jobId);
  const batches = { total: job.batches ?? 0, sent: 0, pending: 0, failed: 0, unknown: 0, awaitingConfirmation: 0 };
  const totals = { total: 0, filter: 0, sent: 0, error: 0 };
  const batchList: JobStatusResponse['batchList'] = [];
  for (let n = 0; n < (job.batches ?? 0); n++) {
    const batch = await readBatch(deps, jobId, n);
    if (!batch) continue;
    if (batch.state === 'sent') batches.sent += 1;
    else if (batch.state === 'failed') batches.failed += 1;
    else if (batch.state === 'unknown') batches.unknown += 1;
    else if (batch.state === 'awaiting_confirmation') batches.awaitingConfirmation += 1;
    else batches.pending += 1;
    const report = batch.msgId ? await readMassReport(deps.store, deps.appId, batch.msgId).catch(() => null) : null;
    if (report) {
      totals.total += report.counts.total;
      totals.filter += report.counts.filter;
      totals.sent += report.counts.sent;
      totals.error += report.counts.error;
    }
    batchList.push({
      index: n,
      state: batch.state,
      size: batch.size,
      attempts: batch.attempts,
      ...(batch.msgId ? { msgId: batch.msgId } : {}),
      ...(batch.errcode === undefined ? {} : { errcode: batch.errcode }),
      ...(batch.msgStatus && !report ? { msgStatus: batch.msgStatus } : {}),
      ...(report ? { report: { status: report.status, counts: report.counts } } : {}),
    } as JobStatusResponse['batchList'][number]);
  }
  return {
    jobId: job.id,
    clientMsgId: job.clientMsgId,
    state: job.state,
    createdAt: iso(job.createdAt)!,
    ...(job.sendAt ? { sendAt: iso(job.sendAt) } : {}),
    ...(job.startedAt ? { startedAt: iso(job.startedAt) } : {}),
    ...(job.finishedAt ? { finishedAt: iso(job.finishedAt) } : {}),
    ...(job.state === 'paused' && job.pausedUntil
      ? { pause: { reason: job.pauseReason ?? 'paused', until: iso(job.pausedUntil)! } }
      : {}),
    received: job.received,
    ...(job.openIds === undefined || job.audience ? {} : { openIds: job.openIds }),
    chunks: job.chunks,
    batches,
    totals,
    batchList,
  } as JobStatusResponse;
}
