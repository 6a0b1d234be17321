import * as crypto from 'node:crypto';
import { createHash, timingSafeEqual } from 'node:crypto';

/** The sha1 of `text` (UTF-8) in lower-case hex, by createHash: every Node version has it. */
export function sha1HexByHashObject(text: string): string {
  return createHash('sha1').update(text, 'utf8').digest('hex');
}

// crypto.hash (Node 20.12+, 21.7+) digests in one call without a Hash object, about twice as fast
// for a signature's few hundred bytes; SCF's Node.js 18 runtime lacks it and uses createHash.
const oneShotHash = (crypto as { hash?: typeof crypto.hash }).hash;
const sha1Hex: (text: string) => string = oneShotHash
  ? (text) => oneShotHash('sha1', text, 'hex')
  : sha1HexByHashObject;

/**
 * WeChat's callback signature: sha1 over the lexicographically sorted, concatenated parts
 * (token, timestamp, nonce for `signature`; plus the Encrypt text for `msg_signature`).
 * The sort is by UTF-16 code unit, as the official samples do; the parts are ASCII in practice.
 */
export function sha1Signature(parts: readonly string[]): string {
  return sha1HexByHashObject(sortedJoin(parts));
}

/**
 * `[...parts].sort().join('')` without the generic sort: an insertion sort of the 3 to 5 parts
 * by `<`, which orders strings by UTF-16 code unit as the default sort does.
 */
function sortedJoin(parts: readonly string[], first?: string): string {
  const sorted = first === undefined ? [...parts] : [first, ...parts];
  for (let i = 1; i < sorted.length; i += 1) {
    const part = sorted[i] as string;
    let at = i;
    for (; at > 0 && part < (sorted[at - 1] as string); at -= 1) sorted[at] = sorted[at - 1] as string;
    sorted[at] = part;
  }
  return sorted.join('');
}

/** Constant-time string comparison, after a length check (the length is not secret). */
export function safeEqual(expected: string, actual: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(actual, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Whether `given` (40 characters) is the digest `lowerHex` (40 lower-case hex digits) in either
 * case, in constant time: every character is compared, the differences ORed together, and nothing
 * branches on them. Where the digest has a letter, bit 0x20 of the given character is ignored
 * (A-F match a-f); where it has a digit, only that digit matches. So this is also the hex check:
 * the same answer as /^[0-9A-Fa-f]{40}$/ and timingSafeEqual over the decoded digests, without
 * two buffers and a regex per check.
 */
function sameHexDigest(given: string, lowerHex: string): boolean {
  let difference = 0;
  for (let i = 0; i < 40; i += 1) {
    const expected = lowerHex.charCodeAt(i);
    difference |= (given.charCodeAt(i) | ((expected & 0x40) >> 1)) ^ expected;
  }
  return difference === 0;
}

/**
 * True when `signature` was made with one of `tokens` over `parts` (everything but the token).
 * Several tokens exist only during a rotation (current first, then previous); every token is
 * tried so the time taken does not tell which one matched. The hex is compared ignoring case.
 */
export function verifySignature(
  signature: string | undefined,
  tokens: readonly string[],
  parts: readonly string[],
): boolean {
  if (signature?.length !== 40) return false;
  let matched = false;
  for (const token of tokens) {
    if (sameHexDigest(signature, sha1Hex(sortedJoin(parts, token)))) matched = true;
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
