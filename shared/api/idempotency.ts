import { createHash, randomUUID } from 'node:crypto';
import * as z from 'zod/mini';
import { HttpError } from '../http/http-error';
import type { Logger } from '../log';
import { takeClaim } from '../store/claim';
import { StoreUnavailableError, type Store } from '../store/store';
import { memoize } from '../runtime/memoize';

/**
 * Which clientmsgid a send carries: the caller's clientMsgId, else one derived from the
 * Idempotency-Key header (so a client that retries with the same header sends once), else a
 * digest of the canonical request, so that the same send made twice reaches every follower
 * once (WeChat itself does the same when no clientmsgid is given, seed 001). An intended
 * re-send of the same content passes a new clientMsgId. WeChat takes at most 64 bytes: "ik-" or
 * "dg-" + base64url(SHA-256) is 46 bytes.
 */
export function resolveClientMsgId(
  clientMsgId: string | undefined,
  idempotencyKey: string | undefined,
  request: unknown,
): string {
  if (clientMsgId !== undefined) return clientMsgId;
  if (idempotencyKey !== undefined) {
    const key = idempotencyKey.trim();
    if (key.length === 0 || key.length > 255) {
      throw new HttpError(400, 'invalid_request', 'the Idempotency-Key header must hold 1 to 255 characters', {
        fields: [{ path: '(header) idempotency-key', reason: 'must hold 1 to 255 characters' }],
      });
    }
    return `ik-${createHash('sha256').update(key).digest('base64url')}`;
  }
  return `dg-${createHash('sha256').update(canonicalJson(request)).digest('base64url')}`;
}

/** JSON with every object's keys sorted, so key order does not change a digest. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * What the store remembers about one clientmsgid:
 * - `pending`: a call to WeChat is under way (or its container died: the short TTL frees it);
 * - `unknown`: the call failed without an answer, so the send may have gone out; a retry may
 *   call WeChat again, which answers 45065 with the msg_id if it did;
 * - `done`: WeChat answered; a retry gets this answer back without calling WeChat.
 * `fingerprint` is a hash of the WeChat body without the clientmsgid: reusing a clientMsgId
 * for another message or audience is a caller bug, answered 422, not a silent duplicate.
 * `owner` is random per claim: once a claim's TTL has run out a later request may claim the
 * same clientmsgid with the same fingerprint, and only the claim's own request may release it.
 */
type SendRecord<R> =
  | { state: 'pending'; fingerprint: string; owner: string }
  | { state: 'unknown'; fingerprint: string }
  | { state: 'done'; fingerprint: string; result: R };

export interface IdempotencyOptions {
  store: Store;
  appId: string;
  log: Logger;
  /** How long a `pending` marker survives a container that died mid-call (default 60 s: past a
   *  function's timeout and WeChat's; a retry after that reaches WeChat, which refuses a second
   *  send of the same clientmsgid with 45065/45066). */
  pendingTtlMs?: number;
}

// WeChat refuses a repeated clientmsgid for 24 hours; we remember the answer as long.
export const RECORD_TTL_MS = 24 * 3_600_000;

/** The outcome of a send attempt, as the caller of `sendOnce` classifies it. */
export type Attempt<R> =
  | { kind: 'done'; result: R }
  /** WeChat answered with an error: nothing went out, the clientmsgid may be used again. */
  | { kind: 'failed'; error: unknown }
  /** No answer: the send may have gone out. */
  | { kind: 'unknown'; error: unknown };

export interface SendOnceResult<R> {
  /** True when the result comes from the store: WeChat was not called again. */
  replayed: boolean;
  result: R;
}

// Built on the first record read back (a retry or a replay), not at every cold start.
const storedRecord = memoize(() =>
  z.discriminatedUnion('state', [
    z.looseObject({ state: z.literal('pending'), fingerprint: z.string() }),
    z.looseObject({ state: z.literal('unknown'), fingerprint: z.string() }),
    z.looseObject({ state: z.literal('done'), fingerprint: z.string(), result: z.unknown() }),
  ]),
);

/**
 * A stored record, or undefined when it is not one (corrupt, written by something else, or a
 * `done` whose result does not parse with `result`).
 */
function parseRecord<R>(raw: string, result: z.ZodMiniType<R>): SendRecord<R> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const parsed = storedRecord().safeParse(value);
  if (!parsed.success) return undefined;
  const record = parsed.data;
  switch (record.state) {
    case 'pending':
      return { state: 'pending', fingerprint: record.fingerprint, owner: String(record.owner ?? '') };
    case 'unknown':
      return { state: 'unknown', fingerprint: record.fingerprint };
    case 'done': {
      const done = result.safeParse(record.result);
      return done.success ? { state: 'done', fingerprint: record.fingerprint, result: done.data } : undefined;
    }
  }
}

/** The store key of the send record of one clientmsgid of one Official Account. */
export function sendRecordKey(appId: string, clientMsgId: string): string {
  return `mass:send:${appId}:${clientMsgId}`;
}

export function fingerprintOf(body: unknown): string {
  return createHash('sha256').update(JSON.stringify(body)).digest('base64url');
}

/**
 * What the store holds for a clientmsgid, for /status?clientMsgId=; undefined when nothing. A
 * record that does not parse is `unknown`, as sendOnce treats it: the send may have gone out.
 */
export async function readSendRecord<R>(
  store: Store,
  appId: string,
  clientMsgId: string,
  resultSchema: z.ZodMiniType<R>,
): Promise<{ state: 'pending' } | { state: 'unknown' } | { state: 'done'; result: R } | undefined> {
  const raw = await store.get(sendRecordKey(appId, clientMsgId));
  if (raw === null) return undefined;
  const record = parseRecord(raw, resultSchema);
  if (record === undefined) return { state: 'unknown' };
  if (record.state === 'done') return { state: 'done', result: record.result };
  return record.state === 'pending' ? { state: 'pending' } : { state: 'unknown' };
}

/**
 * `askAgain`: a recorded answer that is not final (a send waiting for an administrator) is not
 * replayed: the retry calls WeChat again with the same clientmsgid, which cannot send twice and
 * answers the msg_id (45065) once the send has gone out.
 */
export async function sendOnce<R>(
  options: IdempotencyOptions,
  clientMsgId: string,
  fingerprint: string,
  /** The schema of a `done` result, to read back what an earlier call recorded. */
  resultSchema: z.ZodMiniType<R>,
  attempt: () => Promise<Attempt<R>>,
  askAgain: (result: R) => boolean = () => false,
): Promise<SendOnceResult<R>> {
  const { store, appId, log, pendingTtlMs = 60_000 } = options;
  const key = sendRecordKey(appId, clientMsgId);
  const pending = JSON.stringify({ state: 'pending', fingerprint, owner: randomUUID() } satisfies SendRecord<R>);

  let earlier: { result: R } | undefined;
  /** The earlier call's record this call took over (`unknown`, or a `done` asked again). */
  let replaced: string | undefined;
  try {
    earlier = await claim();
  } catch (err) {
    if (err instanceof StoreUnavailableError) {
      // A stalled Redis may still run our SET NX once it answers again, leaving a marker that
      // would hold the caller's retry off for a minute. The delete queues behind it on the
      // same connection; it is best-effort, and only ever removes our own marker.
      await store.compareAndDelete(key, pending).catch(() => {});
    }
    throw err;
  }
  if (earlier) return { replayed: true, result: earlier.result };
  // An attempt classifies whatever may have reached WeChat itself (`unknown`); what it throws
  // happened before the call left (the permit's store failing), so it counts as `failed`.
  const outcome = await attempt().catch((error: unknown): Attempt<R> => ({ kind: 'failed', error }));
  switch (outcome.kind) {
    case 'done':
      await remember(() =>
        store.set(
          key,
          JSON.stringify({ state: 'done', fingerprint, result: outcome.result } satisfies SendRecord<R>),
          RECORD_TTL_MS,
        ),
      );
      return { replayed: false, result: outcome.result };
    case 'failed':
      await remember(async () => {
        const released = await store.compareAndDelete(key, pending);
        // This call failed before WeChat said anything new of the earlier call (busy, no token,
        // our own 429): that send may still have gone out, or still await an administrator.
        // Its record goes back, so that status still finds it and the clientMsgId stays tied
        // to its message (a 422 for another), instead of the key being left empty.
        if (released && replaced !== undefined) await store.setIfAbsent(key, replaced, RECORD_TTL_MS);
      });
      throw outcome.error;
    case 'unknown':
      await remember(() =>
        store.set(key, JSON.stringify({ state: 'unknown', fingerprint } satisfies SendRecord<R>), RECORD_TTL_MS),
      );
      throw outcome.error;
  }

  /**
   * Once WeChat has answered, its answer matters more than our record of it: a store failure is
   * logged, and the `pending` marker's short TTL lets a later retry reach WeChat, which then
   * answers 45065 for a send that went out.
   */
  async function remember(write: () => Promise<unknown>): Promise<void> {
    try {
      await write();
    } catch (err) {
      log.error('could not record the outcome of a send', { clientMsgId, state: outcome.kind, err });
    }
  }

  /** Takes the clientmsgid for this call (undefined), or returns what an earlier call recorded. */
  async function claim(): Promise<{ result: R } | undefined> {
    let takenOver: string | undefined;
    for (let round = 0; round < 3; round++) {
      const attempt = await takeClaim(store, key, pending, pendingTtlMs);
      if (attempt.ours) {
        replaced = takenOver;
        return undefined;
      }
      takenOver = undefined;
      const raw = attempt.holder;
      if (raw === null) continue;
      const existing = parseRecord(raw, resultSchema);
      if (existing === undefined) {
        // Unreadable, so nothing is known of it: treated like `unknown` (the send may have gone
        // out). Taking it over lets this call reach WeChat, whose own clientmsgid check answers
        // 45065 with the msg_id if it did; refusing instead would block this clientMsgId for 24 h.
        log.warn('replacing an unreadable send record', { clientMsgId });
        await store.compareAndDelete(key, raw);
        continue;
      }
      if (existing.fingerprint !== fingerprint) {
        throw new HttpError(
          422,
          'client_msg_id_reused',
          'this clientMsgId was already used for a different message or audience; use a new clientMsgId for a new send',
          {
            fields: [{ path: 'clientMsgId', reason: 'already used for a different request' }],
            details: { clientMsgId },
          },
        );
      }
      if (existing.state === 'done') {
        if (!askAgain(existing.result)) return { result: existing.result };
        // Like `unknown`: take it over; only one retry wins the compare-and-delete.
        await store.compareAndDelete(key, raw);
        takenOver = raw;
        continue;
      }
      if (existing.state === 'pending') {
        throw inProgress(clientMsgId);
      }
      // `unknown`: take over the marker; only one retry wins the compare-and-delete.
      await store.compareAndDelete(key, raw);
      takenOver = raw;
    }
    throw inProgress(clientMsgId);
  }
}

function inProgress(clientMsgId: string): HttpError {
  return new HttpError(
    409,
    'send_in_progress',
    'a send with this clientMsgId is in progress; retry shortly with the same clientMsgId',
    {
      headers: { 'retry-after': '5' },
      details: { clientMsgId },
    },
  );
}
