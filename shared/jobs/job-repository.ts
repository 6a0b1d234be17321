import { createHash } from 'node:crypto';
import { HttpError } from '../http/http-error';
import type { Message } from '../api/message';
import type { Store } from '../store/store';
import { batchSizes } from './batches';
import { type BatchRecord, type JobRecord, jobKeys, parseBatch, parseJob, type TagAudience } from './job-model';
import { updateLocked } from './locked-update';
import { OpenIdSet } from './openid-set';
import { collectGarbage } from './collect-garbage';

/** One append carries at most this many OpenIDs (about 3.2 MB of JSON, inside SCF's 6 MB event). */
export const MAX_CHUNK_OPENIDS = 100_000;
/** OpenIDs received per job, before deduplication: what one start can deduplicate within 256 MB. */
export const MAX_JOB_OPENIDS = 2_000_000;
// setIfAbsent always takes a TTL; job records are meant to stay, so a long one.
const KEEP_MS = 400 * 24 * 3_600_000;

/** A scheduled send is due at most this far ahead. */
export const MAX_SCHEDULE_AHEAD_MS = 30 * 24 * 3_600_000;

export interface JobRepoDeps {
  store: Store;
  appId: string;
  now: () => number;
}

export interface NewJob {
  clientMsgId: string;
  message: Message;
  sendAt?: number;
  audience?: TagAudience;
}

/** Jobs are addressed by an id derived from the clientMsgId, so a retried create finds its job. */
export function jobIdFor(appId: string, clientMsgId: string): string {
  return `job_${createHash('sha256').update(`${appId}\n${clientMsgId}`).digest('base64url').slice(0, 24)}`;
}

const fingerprintOf = (job: NewJob) =>
  createHash('sha256')
    .update(JSON.stringify({ message: job.message, sendAt: job.sendAt ?? null, audience: job.audience ?? null }))
    .digest('base64url');

const notFound = (jobId: string) =>
  new HttpError(404, 'job_not_found', `no job ${jobId}`, { fields: [{ path: 'jobId', reason: 'no such job' }] });

export function checkSendAt(sendAt: number | undefined, now: number, path = 'sendAt'): void {
  if (sendAt === undefined) return;
  if (sendAt < now) {
    throw new HttpError(400, 'invalid_request', 'sendAt is in the past', {
      fields: [{ path, reason: 'is in the past' }],
    });
  }
  if (sendAt > now + MAX_SCHEDULE_AHEAD_MS) {
    throw new HttpError(400, 'invalid_request', 'sendAt is more than 30 days ahead', {
      fields: [{ path, reason: 'must be at most 30 days ahead' }],
    });
  }
}

export async function readJob(deps: JobRepoDeps, jobId: string): Promise<JobRecord | null> {
  const raw = await deps.store.get(jobKeys.job(deps.appId, jobId));
  return raw === null ? null : parseJob(raw);
}

export async function requireJob(deps: JobRepoDeps, jobId: string): Promise<JobRecord> {
  const job = await readJob(deps, jobId);
  if (!job) throw notFound(jobId);
  return job;
}

/** Changes a job under its lock; `change` returns the new record or undefined to keep it. */
export function updateJob<T>(
  deps: JobRepoDeps,
  jobId: string,
  change: (job: JobRecord) => { job?: JobRecord; result: T },
): Promise<T> {
  return updateLocked(deps.store, jobKeys.job(deps.appId, jobId), (raw) => {
    if (raw === null) throw notFound(jobId);
    const { job, result } = change(parseJob(raw));
    return { value: job ? JSON.stringify(job) : undefined, result };
  });
}

/** Creates the job, or returns the existing one for a retried create with the same clientMsgId. */
export async function createJob(deps: JobRepoDeps, input: NewJob): Promise<{ job: JobRecord; created: boolean }> {
  const id = jobIdFor(deps.appId, input.clientMsgId);
  try {
    checkSendAt(input.sendAt, deps.now());
  } catch (err) {
    // A retry whose first answer was lost can arrive after its own sendAt: it names a job that
    // exists (and may have sent), which the retry must get back, not a 400 that invites a resend
    // under a new clientMsgId.
    const existing = await readJob(deps, id);
    if (existing?.fingerprint === fingerprintOf(input)) return { job: existing, created: false };
    throw err;
  }
  const job: JobRecord = {
    id,
    clientMsgId: input.clientMsgId,
    fingerprint: fingerprintOf(input),
    message: input.message,
    ...(input.audience ? { audience: input.audience } : {}),
    state: 'building',
    createdAt: deps.now(),
    ...(input.sendAt === undefined ? {} : { sendAt: input.sendAt }),
    chunks: [],
    received: 0,
  };
  if (await deps.store.setIfAbsent(jobKeys.job(deps.appId, id), JSON.stringify(job), KEEP_MS)) {
    return { job, created: true };
  }
  const existing = await requireJob(deps, id);
  if (existing.fingerprint !== job.fingerprint) {
    throw new HttpError(
      422,
      'client_msg_id_reused',
      'this clientMsgId already names a job with a different message or sendAt; use a new clientMsgId',
      { fields: [{ path: 'clientMsgId', reason: 'already used for a different job' }] },
    );
  }
  return { job: existing, created: false };
}

/**
 * Stores chunk `n` of a job being built. Retrying an append with the same number and the same
 * OpenIDs changes nothing; another list under a number already taken is a 409.
 */
export async function appendChunk(
  deps: JobRepoDeps,
  jobId: string,
  n: number,
  openIds: readonly string[],
): Promise<JobRecord> {
  if (openIds.length > MAX_CHUNK_OPENIDS) {
    throw new HttpError(413, 'chunk_too_large', `a chunk holds at most ${MAX_CHUNK_OPENIDS} OpenIDs`, {
      fields: [{ path: 'openIds', reason: `must hold at most ${MAX_CHUNK_OPENIDS} OpenIDs` }],
    });
  }
  const text = openIds.join('\n');
  const digest = createHash('sha256').update(text).digest('base64url');
  const key = jobKeys.chunk(deps.appId, jobId, n);
  // Everything under the job's lock: the chunk is in the store before the job counts it, and
  // two appends under one number cannot both win.
  return updateLocked(deps.store, jobKeys.job(deps.appId, jobId), async (raw) => {
    if (raw === null) throw notFound(jobId);
    const job = parseJob(raw);
    if (job.chunks.includes(n)) {
      if ((await deps.store.get(`${key}:digest`)) !== digest) {
        throw new HttpError(
          409,
          'chunk_conflict',
          `chunk ${n} of job ${jobId} was already appended with other OpenIDs`,
          {
            fields: [{ path: 'chunk', reason: 'already appended with a different list' }],
          },
        );
      }
      return { result: job };
    }
    if (job.state !== 'building') {
      throw new HttpError(409, 'job_not_building', `job ${jobId} is ${job.state}; OpenIDs are appended before start`);
    }
    if (job.startRequestedAt !== undefined) {
      // The start reads the chunks once to build the batches: a chunk that came in after would be
      // counted as received and never sent.
      throw new HttpError(409, 'job_starting', `job ${jobId} is being started; OpenIDs are appended before start`);
    }
    if (job.received + openIds.length > MAX_JOB_OPENIDS) {
      throw new HttpError(413, 'job_too_large', `a job holds at most ${MAX_JOB_OPENIDS} OpenIDs`, {
        fields: [{ path: 'openIds', reason: `the job would exceed ${MAX_JOB_OPENIDS} OpenIDs` }],
      });
    }
    await deps.store.set(key, text);
    await deps.store.set(`${key}:digest`, digest);
    const next: JobRecord = {
      ...job,
      chunks: [...job.chunks, n].sort((a, b) => a - b),
      received: job.received + openIds.length,
    };
    return { value: JSON.stringify(next), result: next };
  });
}

/**
 * Deduplicates every chunk (in chunk order, first occurrence wins), writes the batches and
 * their records, and only then marks the job scheduled or running: nothing can be sent before
 * every batch is in the store. Holding the distinct OpenIDs costs about 45 bytes each (OpenIdSet).
 * Returns the started job (a retried start returns it unchanged).
 */
export async function startJob(deps: JobRepoDeps, jobId: string): Promise<JobRecord> {
  const job = await updateJob(deps, jobId, (current) => {
    if (current.state !== 'building' || current.startRequestedAt !== undefined) return { result: current };
    const next = { ...current, startRequestedAt: deps.now() };
    return { job: next, result: next };
  });
  if (job.state !== 'building') return job;
  try {
    return await buildAndStart(deps, job);
  } catch (err) {
    // Refused for what the job holds (a chunk missing, fewer than 2 OpenIDs): the caller fixes
    // the list, so appends are taken again. A store failure leaves it final: start is repeated.
    if (err instanceof HttpError) {
      await updateJob(deps, jobId, (current) => {
        if (current.state !== 'building' || current.startRequestedAt === undefined) return { result: undefined };
        const { startRequestedAt: _reopened, ...open } = current;
        return { job: open, result: undefined };
      });
    }
    throw err;
  }
}

async function buildAndStart(deps: JobRepoDeps, job: JobRecord): Promise<JobRecord> {
  const jobId = job.id;
  if (job.audience)
    return markStarted(deps, jobId, 0, 1, async () => {
      await deps.store.setIfAbsent(
        jobKeys.batch(deps.appId, jobId, 0),
        JSON.stringify({ state: 'pending', size: 0, attempts: 0 } satisfies BatchRecord),
        KEEP_MS,
      );
    });
  if (job.chunks.some((n, i) => n !== i)) {
    const missing = job.chunks.findIndex((n, i) => n !== i);
    throw new HttpError(409, 'chunks_missing', `chunk ${missing} of job ${jobId} was never appended`, {
      fields: [{ path: 'chunks', reason: `chunks are numbered 0, 1, 2…; ${missing} is missing` }],
    });
  }
  const distinct = new OpenIdSet(job.received);
  for (const n of job.chunks) {
    const text = await deps.store.get(jobKeys.chunk(deps.appId, jobId, n));
    if (text === null) throw new Error(`chunk ${n} of job ${jobId} is gone from the store`);
    for (const openId of text.split('\n')) distinct.add(openId);
    // Each chunk leaves ~10 MB of garbage that V8 would otherwise let pile up (collect-garbage.ts).
    await collectGarbage();
  }
  if (distinct.size < 2) {
    throw new HttpError(
      400,
      'invalid_request',
      'a job needs at least 2 distinct OpenIDs; use /preview for one person',
      {
        fields: [{ path: 'openIds', reason: 'must hold at least 2 distinct OpenIDs' }],
      },
    );
  }
  const sizes = batchSizes(distinct.size);
  let offset = 0;
  for (const [n, size] of sizes.entries()) {
    const ids: string[] = new Array(size);
    for (let i = 0; i < size; i++) ids[i] = distinct.at(offset + i);
    offset += size;
    const record: BatchRecord = { state: 'pending', size, attempts: 0 };
    // A start retried after a crash writes the same OpenIDs again, and never resets a batch
    // record that exists: setIfAbsent.
    await deps.store.set(jobKeys.batchOpenIds(deps.appId, jobId, n), ids.join('\n'));
    await deps.store.setIfAbsent(jobKeys.batch(deps.appId, jobId, n), JSON.stringify(record), KEEP_MS);
    await collectGarbage();
  }
  const started = await markStarted(deps, jobId, distinct.size, sizes.length);
  for (const n of job.chunks) {
    await deps.store.delete(jobKeys.chunk(deps.appId, jobId, n));
    await deps.store.delete(`${jobKeys.chunk(deps.appId, jobId, n)}:digest`);
  }
  return started;
}

async function markStarted(
  deps: JobRepoDeps,
  jobId: string,
  openIds: number,
  batches: number,
  prepare?: () => Promise<void>,
): Promise<JobRecord> {
  await prepare?.();
  // Listed before it can run: a job marked running but never listed would wait forever, since
  // a retried start finds it started and the dispatcher reads only the list. The dispatcher
  // skips (and keeps) a listed job that is still building.
  await addActive(deps, jobId);
  const now = deps.now();
  return updateJob(deps, jobId, (current) => {
    if (current.state !== 'building') return { result: current };
    const next: JobRecord = {
      ...current,
      state: current.sendAt !== undefined && current.sendAt > now ? 'scheduled' : 'running',
      startedAt: now,
      openIds,
      batches,
    };
    return { job: next, result: next };
  });
}

/** Cancels a job that has not finished; a running one stops before its next batch. */
export function cancelJob(deps: JobRepoDeps, jobId: string): Promise<JobRecord> {
  return updateJob(deps, jobId, (job) => {
    if (job.state === 'cancelled') return { result: job };
    if (job.state === 'done') {
      throw new HttpError(409, 'job_finished', `job ${jobId} is done; there is nothing left to cancel`);
    }
    const next: JobRecord = { ...job, state: 'cancelled', cancelledAt: deps.now() };
    return { job: next, result: next };
  });
}

export async function readBatch(deps: JobRepoDeps, jobId: string, n: number): Promise<BatchRecord | null> {
  const raw = await deps.store.get(jobKeys.batch(deps.appId, jobId, n));
  return raw === null ? null : parseBatch(raw);
}

export async function writeBatch(deps: JobRepoDeps, jobId: string, n: number, record: BatchRecord): Promise<void> {
  await deps.store.set(jobKeys.batch(deps.appId, jobId, n), JSON.stringify(record));
}

export async function activeJobIds(deps: JobRepoDeps): Promise<string[]> {
  const raw = await deps.store.get(jobKeys.active(deps.appId));
  return raw === null ? [] : (JSON.parse(raw) as string[]);
}

function changeActive(deps: JobRepoDeps, change: (ids: string[]) => string[]): Promise<void> {
  return updateLocked(deps.store, jobKeys.active(deps.appId), (raw) => {
    const ids = raw === null ? [] : (JSON.parse(raw) as string[]);
    const next = change(ids);
    return {
      value: next.length === ids.length && next.every((id, i) => id === ids[i]) ? undefined : JSON.stringify(next),
      result: undefined,
    };
  });
}

export const addActive = (deps: JobRepoDeps, jobId: string) =>
  changeActive(deps, (ids) => (ids.includes(jobId) ? ids : [...ids, jobId]));
export const removeActive = (deps: JobRepoDeps, jobId: string) =>
  changeActive(deps, (ids) => ids.filter((id) => id !== jobId));
