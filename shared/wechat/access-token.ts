import { createHash, randomUUID } from 'node:crypto';
import { takeClaim, takeClaimReading } from '../store/claim';
import type { Store } from '../store/store';
import type { Logger } from '../log';
import { silentLogger } from '../log';
import { rememberSecret } from '../redact';
import { AccessTokenError } from './errors';
import { readStoredToken, type StoredToken } from './stored-token';

export interface AccessTokenProvider {
  /** A token valid for at least the safety margin, from memory, the store, or WeChat. */
  get(): Promise<string>;
  /** WeChat rejected `rejected`: forget it, and only it, so the next get() fetches anew. */
  invalidate(rejected: string): Promise<void>;
}

export interface FetchedToken {
  accessToken: string;
  expiresInSeconds: number;
}

export type TokenFetcher = (options: { forceRefresh: boolean }) => Promise<FetchedToken>;

export interface AccessTokenProviderOptions {
  appId: string;
  store: Store;
  fetchToken: TokenFetcher;
  now?: () => number;
  /** Refresh this long before expiry (default 5 minutes). */
  marginMs?: number;
  /** How long the refresh lock is held at most if its holder dies (default 15 s). */
  lockTtlMs?: number;
  /** How long a container waits for another one's refresh (default 10 s). */
  waitTimeoutMs?: number;
  /**
   * A waiting container wakes when the refresh ends; without a wake-up (its holder died, the
   * store lost the notification) it looks again after this long (default 250 ms).
   */
  pollIntervalMs?: number;
  /** A failed refresh throws even while the current token still works (for the refresh-token
   *  timer, whose failure must show before the token runs out). */
  strict?: boolean;
  log?: Logger;
}

// stable_token with force_refresh: at most 20 a day and at least 30 s apart (WeChat's limits).
const FORCE_REFRESH_PER_DAY = 20;
const FORCE_REFRESH_GAP_MS = 30_000;
const DAY_MS = 86_400_000;
// A failed refresh is shared for a moment so that waiting containers do not each repeat it:
// with a wrong AppSecret fifty cold containers must not make fifty token calls.
const FAILURE_TTL_MS = 5_000;
// stable_token in normal mode returns the current token until WeChat renews it, 5 minutes
// before expiry (developers.weixin.qq.com/doc/service/api/base/api_getstableaccesstoken.html).
// A refresh that got the same, nearly expired token back is not repeated for this long.
const RECHECK_MS = 60_000;
// Below this a token is not worth handing out: the call might outlive it.
const USABLE_MS = 5_000;
// WeChat's daily quotas reset at midnight Beijing time (UTC+8).
const BEIJING_OFFSET_MS = 8 * 3_600_000;

/**
 * The store keys of one AppID's token: every container and function shares them. The AppID in
 * braces is their Redis Cluster hash tag: one slot for all of them, as the look-and-claim
 * script (Store.getManyAndClaim) needs on a cluster.
 */
export function accessTokenKeys(appId: string) {
  const tag = `{${appId}}`;
  return {
    /** The current token, as JSON `{token, expiresAt, checkedAt?}`. */
    token: `wechat:access-token:${tag}`,
    /** Held by the one container that refreshes. */
    lock: `wechat:access-token:lock:${tag}`,
    /** The change channel (Store.notifyChange) of the keys above: a refresh that ended, whatever
     *  its outcome, or an invalidation. */
    changed: `wechat:access-token:changed:${tag}`,
    /** The SHA-256 of the token WeChat last rejected. */
    rejected: `wechat:access-token:rejected:${tag}`,
    /** A refresh that just failed, shared for a moment. */
    failure: `wechat:access-token:failure:${tag}`,
    forceGap: `wechat:access-token:force-gap:${tag}`,
    forceCount: (day: number) => `wechat:access-token:force-count:${tag}:${day}`,
  };
}

const fingerprint = (token: string) => createHash('sha256').update(token).digest('hex');

export function createAccessTokenProvider(options: AccessTokenProviderOptions): AccessTokenProvider {
  const {
    appId,
    store,
    fetchToken,
    now = Date.now,
    marginMs = 5 * 60_000,
    lockTtlMs = 15_000,
    waitTimeoutMs = 10_000,
    pollIntervalMs = 250,
    strict = false,
    log = silentLogger,
  } = options;
  const keys = accessTokenKeys(appId);

  let local: StoredToken | undefined;
  let pending: Promise<string> | undefined;

  // Inside the margin but not yet expired: still usable while someone else refreshes.
  const isUsable = (t: StoredToken | undefined): boolean => !!t && t.expiresAt - USABLE_MS > now();
  const isFresh = (t: StoredToken | undefined): boolean =>
    !!t && (t.expiresAt - marginMs > now() || (isUsable(t) && now() - (t.checkedAt ?? 0) < RECHECK_MS));

  function parseStored(raw: string | null | undefined): { raw: string; token: StoredToken } | undefined {
    if (!raw) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      return undefined;
    }
    const token = readStoredToken(value);
    if (!token) return undefined;
    rememberSecret(token.token);
    return { raw, token };
  }

  async function mayForceRefresh(): Promise<boolean> {
    if (!(await takeClaim(store, keys.forceGap, randomUUID(), FORCE_REFRESH_GAP_MS)).ours) return false;
    const count = await store.increment(keys.forceCount(Math.floor((now() + BEIJING_OFFSET_MS) / DAY_MS)), DAY_MS);
    return count <= FORCE_REFRESH_PER_DAY;
  }

  async function fetchFresh(rejected: string | null): Promise<StoredToken> {
    let fetched = await fetchToken({ forceRefresh: false });
    rememberSecret(fetched.accessToken);
    // stable_token hands back the current token while WeChat still counts it valid; when that is
    // the very token WeChat just rejected, only force_refresh yields another.
    if (rejected && fingerprint(fetched.accessToken) === rejected) {
      if (!(await mayForceRefresh())) {
        throw new AccessTokenError(
          'WeChat rejected its own current token and force_refresh is rate-limited (30 s apart, 20 a day)',
        );
      }
      log.warn('access token rejected while still current: force_refresh', { appId });
      fetched = await fetchToken({ forceRefresh: true });
      rememberSecret(fetched.accessToken);
    }
    return { token: fetched.accessToken, expiresAt: now() + fetched.expiresInSeconds * 1000, checkedAt: now() };
  }

  /** Still usable, and not the token WeChat last rejected. */
  async function isServable(t: StoredToken): Promise<boolean> {
    return isUsable(t) && (await store.get(keys.rejected)) !== fingerprint(t.token);
  }

  /**
   * With the lock just taken, and what this container read with it (or before it, when the look
   * could not take it): still the truth unless the token changed meanwhile, which the change
   * channel's version tells. So the lock holder calls WeChat without another round trip to the
   * store, which every container in a stampede would wait for.
   */
  async function refreshAsLockHolder(seen: Looked, changedSince: boolean): Promise<Refreshed> {
    let { stored: again, rejected } = seen;
    if (changedSince) {
      const [raw, rejectedNow] = await store.getMany([keys.token, keys.rejected]);
      again = parseStored(raw);
      rejected = rejectedNow ?? null;
      if (again && isFresh(again.token)) return { token: again.token.token };
    }
    let fresh: StoredToken;
    try {
      fresh = await fetchFresh(rejected);
    } catch (err) {
      // Shared for a moment either way, so other containers do not each repeat the failing call.
      await store.set(keys.failure, err instanceof Error ? err.message : String(err), FAILURE_TTL_MS);
      // A token that still works beats an error: WeChat may be briefly unreachable near expiry.
      if (!strict && again && (await isServable(again.token))) {
        log.warn('access token refresh failed; the current token is still valid', { appId, err });
        return { token: again.token.token };
      }
      throw err;
    }
    const raw = JSON.stringify(fresh);
    await Promise.all([store.set(keys.token, raw, fresh.expiresAt - now()), store.delete(keys.rejected)]);
    log.info('access token refreshed', { appId, expiresAt: new Date(fresh.expiresAt).toISOString() });
    local = fresh;
    return { token: fresh.token, stored: raw };
  }

  /**
   * One look at the shared token, in one round trip, which also takes the refresh lock when there
   * is no token and no shared failure: the one container a stampede waits for calls WeChat as
   * soon as the store answers. The version is read with the data (see Store).
   */
  async function lookAndClaim(owner: string) {
    const { values, holder } = await store.getManyAndClaim([keys.changed, keys.token, keys.failure, keys.rejected], {
      key: keys.lock,
      owner,
      ttlMs: lockTtlMs,
      unlessPresent: [keys.token, keys.failure],
    });
    const raw = values[1];
    return {
      version: values[0] ?? null,
      stored: parseStored(raw),
      present: raw != null,
      failure: values[2] ?? null,
      rejected: values[3] ?? null,
      holder,
    };
  }
  type Looked = Awaited<ReturnType<typeof lookAndClaim>>;
  /** The token a lock holder hands out, and the record it stored when it fetched a new one. */
  type Refreshed = { token: string; stored?: string };

  async function obtain(): Promise<string> {
    const deadline = now() + waitTimeoutMs;
    for (;;) {
      const owner = randomUUID();
      const seen = await lookAndClaim(owner);
      const { stored, failure } = seen;
      let ours = seen.holder === owner;
      // Only a store that looks and claims in two steps (the file store) gets here holding the
      // lock with a token or a failure that another container wrote in between: no refresh then.
      if (ours && ((stored && isFresh(stored.token)) || failure)) {
        await store.compareAndDelete(keys.lock, owner);
        ours = false;
      }
      if (stored && isFresh(stored.token)) {
        local = stored.token;
        return local.token;
      }
      if (failure) {
        if (!strict && stored && (await isServable(stored.token))) return stored.token.token;
        throw new AccessTokenError(`a token refresh failed moments ago: ${failure}`);
      }
      let changedSince = false;
      if (!ours && seen.present) {
        // A token near its end (or a record that is none), which the look does not claim over:
        // the lock now, with the version once more (a store applies one caller's calls in
        // order), read after it.
        const {
          claim,
          read: [versionNow = null],
        } = await takeClaimReading(store, keys.lock, owner, lockTtlMs, [keys.changed]);
        ours = claim.ours;
        changedSince = versionNow !== seen.version;
      }
      if (ours) {
        let refreshed: Refreshed | undefined;
        try {
          refreshed = await refreshAsLockHolder(seen, changedSince);
          return refreshed.token;
        } finally {
          // Waiters wake before the lock is free, so whoever takes it next has seen the change;
          // a new token goes with the wake-up.
          try {
            await store.notifyChange(keys.changed, refreshed?.stored);
          } finally {
            await store.compareAndDelete(keys.lock, owner);
          }
        }
      }
      if (stored && isUsable(stored.token)) return stored.token.token;
      if (now() >= deadline) {
        throw new AccessTokenError(`no access token after waiting ${waitTimeoutMs} ms for another container's refresh`);
      }
      const change = await store.waitForChange(keys.changed, seen.version, Math.min(pollIntervalMs, deadline - now()));
      // The lock holder's new token came with the wake-up: no second look at the store.
      const handed = change.version !== seen.version ? parseStored(change.message) : undefined;
      if (handed && isFresh(handed.token)) {
        local = handed.token;
        return local.token;
      }
    }
  }

  return {
    async get() {
      if (local && isFresh(local)) return local.token;
      // One refresh per container at a time; the store lock makes it one across containers.
      pending ??= obtain().finally(() => {
        pending = undefined;
      });
      return pending;
    },
    async invalidate(rejected) {
      if (local?.token === rejected) local = undefined;
      const stored = parseStored(await store.get(keys.token));
      // compare-and-delete: a newer token another container already wrote must survive.
      if (stored?.token.token === rejected) await store.compareAndDelete(keys.token, stored.raw);
      await store.set(keys.rejected, fingerprint(rejected), 2 * 3_600_000);
      await store.delete(keys.failure);
      await store.notifyChange(keys.changed);
    },
  };
}
