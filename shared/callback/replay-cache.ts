import { randomUUID } from 'node:crypto';
import { type ClaimAttempt, takeClaim } from '../store/claim';
import type { Store } from '../store/store';

/**
 * Signed callback requests, claimed before they are processed and remembered once they were.
 * Every request WeChat sends to the developer URL (GET verification, plain and safe-mode POST)
 * carries `signature` = sha1(token, timestamp, nonce), and the handler verifies it before
 * claiming: it is the one key an attacker cannot choose. `encrypt_type` and `msg_signature`
 * are not covered by it, so a key built from them would let a captured safe-mode query come
 * back as a plain push with a forged body. Keying on the signature also makes every
 * (timestamp, nonce) split that signs alike one request (the parts are joined unseparated).
 *
 * A claim holds a random owner while its request is processed, and only briefly, so that a
 * claim whose invocation died (timeout, store stall) does not swallow WeChat's retries of
 * the push; it becomes `done` only after the request was processed, and is then kept for twice
 * the freshness window, the longest a timestamp is accepted. Whether WeChat's redeliveries
 * reuse the signature is undocumented; either way they stay correct, since reports are
 * idempotent per MsgID.
 */

// WeChat drops the connection after ~5 s and redelivers (3 tries); the callback's SCF timeout
// is 5 s (serverless.yml). A dead invocation's claim lapses before the retry after next.
export const PROCESSING_CLAIM_MS = 6_000;
const DONE = 'done';

export function replayKey(appId: string, signature: string): string {
  // Signatures are compared case-insensitively: the case of the hex must not make a replay new.
  return `callback:seen:${appId}:${signature.toLowerCase()}`;
}

export type ClaimOutcome = 'claimed' | 'done' | 'busy';

export interface RequestClaim {
  key: string;
  owner: string;
}

// Owners only need to differ: one random id per container and a counter, not a UUID per push.
let container: { id: string; claims: number } | undefined;

export function newClaim(key: string): RequestClaim {
  container ??= { id: randomUUID(), claims: 0 };
  container.claims += 1;
  return { key, owner: `pending:${container.id}:${container.claims}` };
}

// The helpers below return the store's promise as it is, without an async frame of their own:
// a push awaits each of them once, and every frame and await is an allocation per push.

/** Tries to take the request for this invocation; claimOutcome tells what the attempt means. */
export function claimRequest(store: Store, claim: RequestClaim): Promise<ClaimAttempt> {
  return takeClaim(store, claim.key, claim.owner, PROCESSING_CLAIM_MS);
}

/**
 * The request is this invocation's (`claimed`), or was processed (`done`), or is being
 * processed by another invocation (`busy`).
 */
export function claimOutcome(attempt: ClaimAttempt): ClaimOutcome {
  if (attempt.ours) return 'claimed';
  return attempt.holder === DONE ? 'done' : 'busy';
}

/** The request was processed: a replay of it is acknowledged without processing it again. */
export function markDone(store: Store, claim: RequestClaim, windowSeconds: number): Promise<void> {
  return store.set(claim.key, DONE, 2 * windowSeconds * 1000);
}

/** A URL verification's query is used up too, so that it cannot come back as a POST. */
export function rememberVerification(store: Store, key: string, windowSeconds: number): Promise<boolean> {
  return store.setIfAbsent(key, DONE, 2 * windowSeconds * 1000);
}

/** Gives a claim back when processing failed, so that WeChat's retry of it is processed. */
export function releaseRequest(store: Store, claim: RequestClaim): Promise<boolean> {
  return store.compareAndDelete(claim.key, claim.owner);
}
