import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * WeChat's callback signature: sha1 over the lexicographically sorted, concatenated parts
 * (token, timestamp, nonce for `signature`; plus the Encrypt text for `msg_signature`).
 * The sort is by UTF-16 code unit, as the official samples do; the parts are ASCII in practice.
 */
export function sha1Signature(parts: readonly string[]): string {
  const joined = [...parts].sort().join('');
  return createHash('sha1').update(joined, 'utf8').digest('hex');
}

/** Constant-time string comparison, after a length check (the length is not secret). */
export function safeEqual(expected: string, actual: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(actual, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * True when `signature` was made with one of `tokens` over `parts` (everything but the token).
 * Several tokens exist only during a rotation (current first, then previous); every token is
 * tried so the time taken does not tell which one matched.
 */
export function verifySignature(
  signature: string | undefined,
  tokens: readonly string[],
  parts: readonly string[],
): boolean {
  if (!signature) return false;
  const given = signature.toLowerCase();
  let matched = false;
  for (const token of tokens) {
    if (safeEqual(sha1Signature([token, ...parts]), given)) matched = true;
  }
  return matched;
}

// Canonical decimal only: the signed parts are joined without a separator, so a timestamp with
// a leading zero could take a digit from the nonce ("0" + ts, "012345" signs as ts, "0123450").
const CANONICAL_SECONDS = /^[1-9]\d{0,11}$/;

/**
 * WeChat's `timestamp` is Unix seconds. Whether its redeliveries (3 tries, ~5 s apart) are
 * re-signed with a new timestamp is undocumented, hence a window of minutes either side.
 */
export function isFresh(timestampSeconds: string | number | undefined, nowMs: number, windowSeconds = 300): boolean {
  let seconds: number;
  if (typeof timestampSeconds === 'number') seconds = timestampSeconds;
  else if (typeof timestampSeconds === 'string' && CANONICAL_SECONDS.test(timestampSeconds))
    seconds = Number(timestampSeconds);
  else return false;
  if (!Number.isSafeInteger(seconds) || seconds < 0) return false;
  return Math.abs(nowMs / 1000 - seconds) <= windowSeconds;
}
