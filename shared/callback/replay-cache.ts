import { createHash } from 'node:crypto';
import type { Store } from '../store/store';

/**
 * Signed callback requests already processed. A plain-mode `signature` covers the token,
 * timestamp and nonce but not the body, so a captured query string would otherwise carry any
 * body for as long as its timestamp stays fresh. Once a request has been processed, the same
 * signed query is acknowledged and not processed again, even when two copies arrive at once. Whether WeChat's redeliveries reuse
 * the signature is undocumented; either way they stay correct, since reports are idempotent
 * per MsgID.
 */
export function replayKey(query: {
  signature?: string | undefined;
  msg_signature?: string | undefined;
  encrypt_type?: string | undefined;
  timestamp?: string | undefined;
  nonce?: string | undefined;
}): string {
  // msg_signature covers the Encrypt text too; signatures are compared case-insensitively,
  // so the case of the hex must not make a replay look new.
  const signature = (query.encrypt_type === 'aes' ? query.msg_signature : query.signature) ?? '';
  const digest = createHash('sha1')
    .update([signature.toLowerCase(), query.timestamp ?? '', query.nonce ?? ''].join('\n'), 'utf8')
    .digest('hex');
  return `callback:seen:${digest}`;
}

/**
 * Claims a signed request before it is processed: false when it was already claimed (a
 * replay, or a concurrent copy). Kept for twice the freshness window, the longest a timestamp
 * is accepted.
 */
export function claimRequest(store: Store, key: string, windowSeconds: number): Promise<boolean> {
  return store.setIfAbsent(key, '1', 2 * windowSeconds * 1000);
}

/** Gives a claim back when processing failed, so WeChat's retry of it is processed. */
export async function releaseRequest(store: Store, key: string): Promise<void> {
  await store.delete(key);
}
