import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiRequest } from './api-gateway';
import { HttpError } from './http-error';

const digest = (text: string) => createHash('sha256').update(text).digest();

// The configured keys' digests, computed once per container rather than on every request.
const keyDigests = new WeakMap<readonly string[], Buffer[]>();
function digestsOf(keys: readonly string[]): Buffer[] {
  const known = keyDigests.get(keys);
  if (known) return known;
  const digests = keys.map(digest);
  keyDigests.set(keys, digests);
  return digests;
}

/**
 * `Authorization: Bearer <key>` against every configured key (several during a rotation).
 * Keys are compared as SHA-256 digests with timingSafeEqual, so neither a key's content nor
 * its length leaks through timing, and every key is checked whatever matches first.
 */
export function authenticate(request: ApiRequest, keys: readonly string[]): void {
  if (keys.length === 0) {
    // An API without keys would be open to the internet: refuse instead.
    throw new HttpError(503, 'not_configured', 'API_KEYS is not configured; the API stays closed');
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  if (!match) {
    throw new HttpError(401, 'unauthorized', 'missing Authorization: Bearer <API key>', {
      headers: { 'www-authenticate': 'Bearer' },
    });
  }
  const offered = digest(match[1]!);
  let ok = false;
  for (const known of digestsOf(keys)) ok = timingSafeEqual(offered, known) || ok;
  if (!ok) {
    throw new HttpError(401, 'unauthorized', 'the API key is not valid', {
      headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
    });
  }
}
