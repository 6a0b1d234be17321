import * as z from 'zod/mini';
import { Message } from '../api/message';
import { memoize } from '../runtime/memoize';

/**
 * A job is one logical send to an OpenID list of any length, cut into batches WeChat accepts.
 * Its lifecycle:
 *   building  → (start) → scheduled (sendAt in the future) | running
 *   scheduled → running (sendAt reached) · running ⇄ paused (daily limit: until Beijing midnight)
 *   running   → done (every batch sent, failed or awaiting confirmation)
 *   building | scheduled | running | paused → cancelled (a running job stops before its next batch)
 * Each batch moves pending → claimed → sent(msgId) | failed(errcode) | unknown; unknown (the call
 * got no readable answer, or its dispatcher died mid-call) is retried with the batch's own
 * clientmsgid, which WeChat refuses to send twice (45065 names the msg_id it did send).
 */
const JOB_STATES = ['building', 'scheduled', 'running', 'paused', 'done', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** A scheduled send by tag or to all: one sendall call, no OpenIDs. */
export type TagAudience = z.infer<ReturnType<typeof tagAudience>>;
const tagAudience = () => z.union([z.object({ all: z.literal(true) }), z.object({ tagId: z.number() })]);

// The records' schemas are built on the first read of a record: a function whose first request
// makes no job (a send now, a status) does not build them at its cold start (issue 13), and a
// bundle that never reads one drops them (memoize is declared free of side effects).
const jobRecord = memoize(() =>
  z.object({
    id: z.string(),
    clientMsgId: z.string(),
    /** sha256 of message + sendAt: a create retried with the same clientMsgId must match it. */
    fingerprint: z.string(),
    message: Message,
    /** Set for a scheduled send-by-tag; an OpenID job has none. */
    audience: z.optional(tagAudience()),
    state: z.enum(JOB_STATES),
    createdAt: z.number(),
    sendAt: z.optional(z.number()),
    /** Chunk numbers appended so far (building). */
    chunks: z.array(z.number()),
    /** OpenIDs received, before deduplication. */
    received: z.number(),
    /** When start was first called: the chunks are final from then on (appends get 409). */
    startRequestedAt: z.optional(z.number()),
    startedAt: z.optional(z.number()),
    finishedAt: z.optional(z.number()),
    cancelledAt: z.optional(z.number()),
    /** Distinct OpenIDs and batches, known once started. */
    openIds: z.optional(z.number()),
    batches: z.optional(z.number()),
    pausedUntil: z.optional(z.number()),
    pauseReason: z.optional(z.string()),
  }),
);
export type JobRecord = z.infer<ReturnType<typeof jobRecord>>;

const BATCH_STATES = ['pending', 'claimed', 'sent', 'failed', 'unknown', 'awaiting_confirmation'] as const;
export type BatchState = (typeof BATCH_STATES)[number];

const batchRecord = memoize(() =>
  z.object({
    state: z.enum(BATCH_STATES),
    size: z.number(),
    /** Calls made for this batch (a retried unknown batch makes more than one). */
    attempts: z.number(),
    /** When the last call was started. */
    lastAttemptAt: z.optional(z.number()),
    msgId: z.optional(z.string()),
    /** The send had already gone out (WeChat answered 45065 with its msg_id). */
    duplicate: z.optional(z.boolean()),
    errcode: z.optional(z.number()),
    sentAt: z.optional(z.number()),
    /** mass/get's answer when no MASSSENDJOBFINISH arrived in time. */
    msgStatus: z.optional(z.string()),
    checkedAt: z.optional(z.number()),
  }),
);
export type BatchRecord = z.infer<ReturnType<typeof batchRecord>>;

export const TERMINAL_BATCH_STATES: ReadonlySet<BatchState> = new Set(['sent', 'failed', 'awaiting_confirmation']);

/**
 * Storage layout (one store, every adapter): the job record holds no OpenIDs; each appended
 * chunk and each batch's OpenIDs are one key, newline-separated, so nothing ever reads more
 * than one batch (10,000 OpenIDs, ~290 KB) or one chunk at a time. Keys carry the AppID so
 * two accounts sharing a store never meet.
 */
export const jobKeys = {
  job: (appId: string, jobId: string) => `job:${appId}:${jobId}`,
  chunk: (appId: string, jobId: string, n: number) => `job:${appId}:${jobId}:chunk:${n}`,
  batch: (appId: string, jobId: string, n: number) => `job:${appId}:${jobId}:batch:${n}`,
  batchOpenIds: (appId: string, jobId: string, n: number) => `job:${appId}:${jobId}:batch:${n}:ids`,
  batchClaim: (appId: string, jobId: string, n: number) => `job:${appId}:${jobId}:batch:${n}:claim`,
  /** The ids of jobs a dispatcher must look at (scheduled, running, paused), as a JSON array. */
  active: (appId: string) => `jobs:${appId}:active`,
};

export function parseJob(raw: string): JobRecord {
  return jobRecord().parse(JSON.parse(raw));
}

export function parseBatch(raw: string): BatchRecord {
  return batchRecord().parse(JSON.parse(raw));
}
