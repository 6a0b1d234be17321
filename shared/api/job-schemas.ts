import * as z from 'zod/mini';
import { ClientMsgId, MsgId, OpenId } from './ids';
import { Message } from './message';
import { MAX_CHUNK_OPENIDS } from '../jobs/job-repository';
import { MassSendStatus } from '../reports/mass-send-status';

/**
 * Bodies and answers of the job routes (see the README, "Jobs"). A send time is RFC 3339 with
 * an offset (`2026-12-01T20:00:00+08:00`): a time without one would be read in whatever zone
 * the function runs in.
 */
const RFC_3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

/**
 * Every field within its range. Date.parse takes `2026-02-30` for March 2 and `T24:00` for the
 * next day's midnight, which would schedule a send on a day the caller never wrote.
 */
export function isCalendarTime(text: string): boolean {
  const match = RFC_3339.exec(text);
  if (!match) return false;
  const [year, month, day, hour, minute, second = 0, offsetHours = 0, offsetMinutes = 0] = match
    .slice(1)
    .map((part) => (part === undefined ? undefined : Number(part))) as number[];
  const daysInMonth = new Date(Date.UTC(year!, month!, 0)).getUTCDate();
  return (
    month! >= 1 &&
    month! <= 12 &&
    day! >= 1 &&
    day! <= daysInMonth &&
    hour! <= 23 &&
    minute! <= 59 &&
    second <= 59 &&
    offsetHours <= 23 &&
    offsetMinutes <= 59
  );
}

export const SendAt = z.string().check(
  z.regex(RFC_3339, 'must be an RFC 3339 time with an offset, e.g. 2026-12-01T20:00:00+08:00'),
  // A text the pattern refuses is reported by the pattern alone.
  z.refine((text) => !RFC_3339.test(text) || isCalendarTime(text), 'is not a valid date'),
);

export const JobId = z.string().check(z.regex(/^job_[A-Za-z0-9_-]{24}$/, 'must be a jobId as returned by POST /jobs'));

export const CreateJobRequest = z.strictObject({
  message: Message,
  clientMsgId: z.optional(ClientMsgId),
  sendAt: z.optional(SendAt),
});
export type CreateJobRequest = z.infer<typeof CreateJobRequest>;

export const AppendOpenIdsRequest = z.strictObject({
  jobId: JobId,
  /** 0, 1, 2…: an append retried with the same chunk number and list changes nothing. */
  chunk: z.number().check(z.int('must be a whole number'), z.minimum(0), z.maximum(9_999)),
  openIds: z
    .array(OpenId)
    .check(
      z.minLength(1, 'must hold at least 1 OpenID'),
      z.maxLength(MAX_CHUNK_OPENIDS, 'must hold at most 100,000 OpenIDs'),
    ),
});

export const JobRef = z.strictObject({ jobId: JobId });
export const JobQuery = z.object({ jobId: JobId });

export const JobState = z.enum(['building', 'scheduled', 'running', 'paused', 'done', 'cancelled']);

const Counts = z.object({ total: z.number(), filter: z.number(), sent: z.number(), error: z.number() });

export const BatchStatus = z.strictObject({
  index: z.number(),
  state: z.enum(['pending', 'claimed', 'sent', 'failed', 'unknown', 'awaiting_confirmation']),
  size: z.number(),
  attempts: z.number(),
  msgId: z.optional(MsgId),
  errcode: z.optional(z.number()),
  /** mass/get's msg_status, asked when no MASSSENDJOBFINISH arrived within 10 minutes. */
  msgStatus: z.optional(z.string()),
  /** The batch's MASSSENDJOBFINISH counts, once WeChat has pushed them. */
  report: z.optional(z.strictObject({ status: MassSendStatus, counts: Counts })),
});

export const JobStatusResponse = z.strictObject({
  jobId: JobId,
  clientMsgId: ClientMsgId,
  state: JobState,
  createdAt: z.string(),
  sendAt: z.optional(z.string()),
  startedAt: z.optional(z.string()),
  finishedAt: z.optional(z.string()),
  /** Why a paused job waits, and until when (the next Beijing midnight after a daily limit). */
  pause: z.optional(z.strictObject({ reason: z.string(), until: z.string() })),
  /** OpenIDs appended (before deduplication) and, once started, distinct ones. */
  received: z.number(),
  openIds: z.optional(z.number()),
  chunks: z.array(z.number()),
  batches: z.strictObject({
    total: z.number(),
    sent: z.number(),
    pending: z.number(),
    failed: z.number(),
    unknown: z.number(),
    awaitingConfirmation: z.number(),
  }),
  /** The MASSSENDJOBFINISH counts summed over the batches that have a report. */
  totals: Counts,
  batchList: z.array(BatchStatus),
});
export type JobStatusResponse = z.infer<typeof JobStatusResponse>;

/** 202 from POST /jobs/start, and from a send that became a job. */
export const JobAcceptedResponse = z.strictObject({
  jobId: JobId,
  clientMsgId: ClientMsgId,
  state: JobState,
  batches: z.number(),
  openIds: z.optional(z.number()),
  sendAt: z.optional(z.string()),
});
export type JobAcceptedResponse = z.infer<typeof JobAcceptedResponse>;

export const JobCreatedResponse = z.strictObject({
  jobId: JobId,
  clientMsgId: ClientMsgId,
  state: JobState,
  sendAt: z.optional(z.string()),
});

export const AppendOpenIdsResponse = z.strictObject({
  jobId: JobId,
  chunks: z.array(z.number()),
  received: z.number(),
});
