import { HttpError } from '../http/http-error';
import type { MassSendLimit } from '../jobs/mass-send-limit';
import { WECHAT_ERRORS } from './wechat-errors';

// An API caller waits this long at most for the shared minute to free a slot.
const MAX_WAIT_MS = 2_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Takes one call from the account's shared mass-send allowance (mass-send-limit.ts) before an
 * API send reaches WeChat: waits briefly when a slot frees within two seconds, else answers
 * 429 with Retry-After, as WeChat's own 45011/45009 would, without spending a call on it.
 * Undefined when the send may go.
 */
export async function takeMassSendPermit(
  limit: MassSendLimit,
  now: () => number = Date.now,
): Promise<HttpError | undefined> {
  // The wait is bounded in total, not per try: while the dispatcher keeps the shared minute
  // full, each refusal may name a slot within 2 s that another call then takes first.
  const giveUpAt = now() + MAX_WAIT_MS;
  for (;;) {
    const permit = await limit.take();
    if (permit.ok) return undefined;
    if (permit.limit === 'minute' && now() + permit.retryAfterMs <= giveUpAt) {
      await sleep(permit.retryAfterMs);
      continue;
    }
    const rule = WECHAT_ERRORS[permit.limit === 'minute' ? 45011 : 45009];
    const seconds = Math.max(1, Math.ceil(permit.retryAfterMs / 1000));
    return new HttpError(
      429,
      rule?.code ?? 'rate_limited',
      permit.limit === 'minute'
        ? 'this account has made 60 mass-send calls in the last minute (WeChat allows no more); retry after Retry-After'
        : 'this account has made its 100 mass-send calls of the Beijing day; retry after Beijing midnight',
      {
        headers: { 'retry-after': String(seconds) },
        details: { limit: permit.limit, until: new Date(permit.until).toISOString() },
      },
    );
  }
}
