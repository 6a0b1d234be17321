import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MockAgent } from 'undici';
import { undiciTransport } from '../../support/undici-transport';
import {
  accessTokenKeys,
  createAccessTokenProvider,
  type AccessTokenProvider,
} from '../../../shared/wechat/access-token';
import { createTokenFetcher } from '../../../shared/wechat/token-fetcher';
import { getManyAndClaimInSteps } from '../../../shared/store/claim';
import { createFileStore } from '../../../shared/store/file-store';
import { createMemoryStore } from '../../../shared/store/memory-store';
import { createRedisStore } from '../../../shared/store/redis-store';
import type { Store } from '../../../shared/store/store';
import { AccessTokenError, WeChatApiError, WeChatTransportError } from '../../../shared/wechat/errors';
import { createWeChatMock, useWeChatMock, WECHAT_ORIGIN } from '../../support/mock-wechat';
import {
  hasRedisServer,
  redisSuiteTitle,
  startRedisClusterNode,
  startRedisServer,
  type RedisServer,
} from '../../support/redis-server';
import { overriding } from '../../support/overriding-store';
import { resendingSetIfAbsent } from '../../support/resending-store';

const APP_ID = 'wx1234567890abcdef';
const SECRET = 'app-secret-0123456789abcdef';

/** One cold container: its own provider and fetcher, sharing only the store and the network. */
function container(
  store: Store,
  agent: MockAgent,
  extra: Partial<Parameters<typeof createAccessTokenProvider>[0]> = {},
): AccessTokenProvider {
  return createAccessTokenProvider({
    appId: APP_ID,
    store,
    pollIntervalMs: 10,
    fetchToken: createTokenFetcher({
      appId: APP_ID,
      appSecret: SECRET,
      baseUrl: WECHAT_ORIGIN,
      timeoutMs: 2_000,
      kind: 'stable',
      transport: undiciTransport(agent),
    }),
    ...extra,
  });
}

interface TokenCall {
  force_refresh?: boolean;
}

function serveStableTokens(wechat: ReturnType<MockAgent['get']>, tokens: string[], delayMs = 0): TokenCall[] {
  const calls: TokenCall[] = [];
  const scope = wechat
    .intercept({ path: '/cgi-bin/stable_token', method: 'POST' })
    .reply(200, (opts) => {
      calls.push(JSON.parse(String(opts.body)) as TokenCall);
      return JSON.stringify({ access_token: tokens[Math.min(calls.length, tokens.length) - 1], expires_in: 7200 });
    })
    .persist();
  if (delayMs) scope.delay(delayMs);
  return calls;
}

/**
 * Cold containers started at once, each with its own store connection (openStore is called once
 * per container). A waiting container never looks again on its own (pollIntervalMs of a minute):
 * only the lock holder's wake-up can end its wait.
 */
function stampede(openStore: () => Store | Promise<Store>, count = 50) {
  return async () => {
    const { agent, wechat } = createWeChatMock();
    const calls = serveStableTokens(wechat, ['TOKEN_SHARED_BY_ALL'], 150);
    const stores = await Promise.all(Array.from({ length: count }, openStore));
    try {
      const containers = stores.map((s) => container(s, agent, { pollIntervalMs: 60_000, waitTimeoutMs: 60_000 }));
      const tokens = await Promise.all(containers.map((c) => c.get()));
      expect(calls).toHaveLength(1);
      expect(new Set(tokens)).toEqual(new Set(['TOKEN_SHARED_BY_ALL']));
    } finally {
      await agent.close();
    }
  };
}

/** Counts a store's reads of the shared token: one per look. */
function countingLooks(store: Store): { store: Store; looks: () => number } {
  let looks = 0;
  const token = accessTokenKeys(APP_ID).token;
  return {
    store: overriding(store, {
      getMany: (keys) => {
        if (keys.includes(token)) looks++;
        return store.getMany(keys);
      },
      getManyAndClaim: (keys, claim) => {
        if (keys.includes(token)) looks++;
        return store.getManyAndClaim(keys, claim);
      },
    }),
    looks: () => looks,
  };
}

/** What every store adapter must give a waiting container: a wake-up, also in the narrowest race. */
function wakeUps(openStore: () => Promise<Store>, options: { carriesMessages: boolean }) {
  const keys = accessTokenKeys(APP_ID);
  let stores: Store[] = [];
  const open = async () => {
    const s = await openStore();
    stores.push(s);
    return s;
  };
  afterEach(async () => {
    await Promise.all(stores.map((s) => s.close()));
    stores = [];
  });

  it("wakes a waiting container when the lock holder's refresh ends, without looking in between", async () => {
    const { agent, wechat } = createWeChatMock();
    const calls = serveStableTokens(wechat, ['FROM_THE_LOCK_HOLDER'], 300);
    const holderStore = await open();
    const holder = container(holderStore, agent).get();
    while ((await holderStore.get(keys.lock)) === null) await new Promise((r) => setTimeout(r, 5));
    const waiting = countingLooks(await open());
    const token = await container(waiting.store, agent, { pollIntervalMs: 60_000, waitTimeoutMs: 60_000 }).get();
    expect(token).toBe('FROM_THE_LOCK_HOLDER');
    expect(await holder).toBe('FROM_THE_LOCK_HOLDER');
    // One look before the wait; the new token comes with the wake-up, or takes one more look.
    expect(waiting.looks()).toBe(options.carriesMessages ? 1 : 2);
    expect(calls).toHaveLength(1);
    await agent.close();
  });

  it("wakes a waiting container with the holder's failure instead of letting it wait", async () => {
    const { agent, wechat } = createWeChatMock();
    wechat
      .intercept({ path: '/cgi-bin/stable_token', method: 'POST' })
      .reply(200, '{"errcode":40125,"errmsg":"invalid appsecret"}')
      .delay(300);
    const holder = container(await open(), agent).get();
    const holderFailed = expect(holder).rejects.toMatchObject({ cause: { errcode: 40125 } });
    await new Promise((r) => setTimeout(r, 100));
    const waiter = container(await open(), agent, { pollIntervalMs: 60_000, waitTimeoutMs: 60_000 });
    await expect(waiter.get()).rejects.toThrow(/a token refresh failed moments ago/);
    await holderFailed;
    await agent.close();
  });

  it('still wakes when the refresh ends between its look at the token and the start of its wait', async () => {
    const { agent } = createWeChatMock();
    const shared = await open();
    await shared.setIfAbsent(keys.lock, 'another-container', 60_000);
    const waiterStore: Store = overriding(shared, {
      async getManyAndClaim(asked, claim) {
        const looked = await shared.getManyAndClaim(asked, claim);
        // The other container finishes right after this one found the lock taken and before it waits.
        const token = { token: 'LANDED_IN_BETWEEN', expiresAt: Date.now() + 7_200_000 };
        await shared.set(keys.token, JSON.stringify(token));
        await shared.compareAndDelete(keys.lock, 'another-container');
        await shared.notifyChange(keys.changed);
        return looked;
      },
    });
    const waiter = container(waiterStore, agent, { pollIntervalMs: 60_000, waitTimeoutMs: 60_000 });
    expect(await waiter.get()).toBe('LANDED_IN_BETWEEN');
    await agent.close();
  });

  it('does not call WeChat again when it takes the lock just after another refresh ended', async () => {
    const shared = await open();
    // A token inside its refresh margin: the look leaves the lock to a second step.
    await shared.set(keys.token, JSON.stringify({ token: 'NEAR_ITS_END', expiresAt: Date.now() + 120_000 }));
    let looks = 0;
    const lateStore: Store = overriding(shared, {
      async getManyAndClaim(asked, claim) {
        const looked = await shared.getManyAndClaim(asked, claim);
        if (looks++ === 0) {
          // Another container refreshes completely between this one's look and its lock.
          const token = { token: 'JUST_REFRESHED', expiresAt: Date.now() + 7_200_000 };
          await shared.set(keys.token, JSON.stringify(token));
          await shared.notifyChange(keys.changed);
        }
        return looked;
      },
    });
    const late = createAccessTokenProvider({
      appId: APP_ID,
      store: lateStore,
      fetchToken: async () => {
        throw new Error('the token was refreshed moments ago: no second call to WeChat');
      },
    });
    expect(await late.get()).toBe('JUST_REFRESHED');
    expect(await shared.get(keys.lock)).toBeNull();
  });

  it('takes no lock when a token lands between the look and the claim of a two-step store', async () => {
    const shared = await open();
    let looks = 0;
    const twoSteps: Store = overriding(shared, {
      getManyAndClaim: (asked, claim) =>
        getManyAndClaimInSteps(
          {
            async getMany(read) {
              const values = await shared.getMany(read);
              if (looks++ === 0) {
                // Another container stores its token and frees the lock right after the look.
                const token = { token: 'LANDED_BEFORE_THE_CLAIM', expiresAt: Date.now() + 7_200_000 };
                await shared.set(keys.token, JSON.stringify(token));
                await shared.notifyChange(keys.changed);
              }
              return values;
            },
            setIfAbsent: (key, value, ttlMs) => shared.setIfAbsent(key, value, ttlMs),
          },
          asked,
          claim,
        ),
    });
    const late = createAccessTokenProvider({
      appId: APP_ID,
      store: twoSteps,
      fetchToken: async () => {
        throw new Error('a token was stored moments ago: no second call to WeChat');
      },
    });
    expect(await late.get()).toBe('LANDED_BEFORE_THE_CLAIM');
    expect(await shared.get(keys.lock)).toBeNull();
  });

  it('takes the lock and calls WeChat in the round trip of its first look when there is no token', async () => {
    const { agent, wechat } = createWeChatMock();
    const calls = serveStableTokens(wechat, ['FIRST_LOOK_TOOK_THE_LOCK']);
    const shared = await open();
    let lockTakenOutsideTheLook = 0;
    const firstLookOnly: Store = overriding(shared, {
      setIfAbsent: (key, value, ttlMs) => {
        if (key === keys.lock) lockTakenOutsideTheLook++;
        return shared.setIfAbsent(key, value, ttlMs);
      },
      getMany: (asked) => {
        if (asked.includes(keys.lock)) lockTakenOutsideTheLook++;
        return shared.getMany(asked);
      },
    });
    const counted = countingLooks(firstLookOnly);
    expect(await container(counted.store, agent).get()).toBe('FIRST_LOOK_TOOK_THE_LOCK');
    expect(counted.looks()).toBe(1);
    expect(lockTakenOutsideTheLook).toBe(0);
    expect(calls).toHaveLength(1);
    expect(await shared.get(keys.lock)).toBeNull();
    await agent.close();
  });

  it('gives up at its deadline when no wake-up comes, and looks again every pollIntervalMs until then', async () => {
    const { agent } = createWeChatMock();
    const shared = await open();
    await shared.setIfAbsent(keys.lock, 'hung-container', 60_000);
    const waiting = countingLooks(shared);
    const waiter = container(waiting.store, agent, { waitTimeoutMs: 600, pollIntervalMs: 100 });
    await expect(waiter.get()).rejects.toThrow(/no access token after waiting 600 ms/);
    // Neither a poll loop nor one long sleep: a look per pollIntervalMs (fewer on a busy machine).
    expect(waiting.looks()).toBeGreaterThanOrEqual(3);
    expect(waiting.looks()).toBeLessThanOrEqual(8);
    await agent.close();
  });
}

describe('createAccessTokenProvider', () => {
  const mock = useWeChatMock();
  let store: Store;
  beforeEach(() => {
    store = createMemoryStore();
  });

  it(
    'makes exactly one upstream token request for 50 cold containers started at once',
    (() => {
      const shared = createMemoryStore();
      return stampede(() => shared);
    })(),
  );

  describe('on a memory store', () => {
    let shared: Store;
    beforeEach(() => {
      shared = createMemoryStore();
    });
    wakeUps(async () => shared, { carriesMessages: true });
  });

  describe('on a file store', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'access-token-'));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });
    wakeUps(async () => createFileStore(dir), { carriesMessages: false });
  });

  it('serves later calls from its own memory without asking the store or WeChat', async () => {
    const calls = serveStableTokens(mock.wechat, ['T1']);
    const provider = container(store, mock.agent);
    await provider.get();
    let reads = 0;
    const get = store.get.bind(store);
    store.get = async (key) => {
      reads++;
      return get(key);
    };
    expect(await provider.get()).toBe('T1');
    expect(reads).toBe(0);
    expect(calls).toHaveLength(1);
  });

  it('fetches a fresh token instead of serving a stored record that is not a token', async () => {
    const clock = 1_000_000;
    const records = ['{"token":"","expiresAt":9999999999}', '{"token":"T0"}', '{"token":5,"expiresAt":2000000}'];
    const calls = serveStableTokens(mock.wechat, ['FRESH_1', 'FRESH_2', 'FRESH_3']);
    for (const [i, raw] of records.entries()) {
      const local = createMemoryStore();
      await local.set(accessTokenKeys(APP_ID).token, raw);
      expect(await container(local, mock.agent, { now: () => clock }).get()).toBe(`FRESH_${i + 1}`);
      expect(JSON.parse((await local.get(accessTokenKeys(APP_ID).token))!)).toMatchObject({ token: `FRESH_${i + 1}` });
    }
    expect(calls).toHaveLength(3);
  });

  it('refreshes once the token is within the 5-minute margin of expiry, and not before', async () => {
    let clock = 1_000_000;
    const calls = serveStableTokens(mock.wechat, ['T1', 'T2']);
    const provider = container(store, mock.agent, { now: () => clock });
    expect(await provider.get()).toBe('T1');
    clock += (7200 - 301) * 1000;
    expect(await provider.get()).toBe('T1');
    clock += 2_000;
    expect(await provider.get()).toBe('T2');
    expect(calls).toHaveLength(2);
  });

  it('does not ask again for a minute when stable_token hands back the same nearly expired token', async () => {
    // stable_token renews only in the last 5 minutes; a wider margin (the timer's 15) gets the
    // current token back with its remaining lifetime.
    let clock = 1_000_000;
    const calls: number[] = [];
    mock.wechat
      .intercept({ path: '/cgi-bin/stable_token', method: 'POST' })
      .reply(200, () => {
        calls.push(clock);
        return JSON.stringify({ access_token: 'SAME', expires_in: 600 });
      })
      .persist();
    const provider = container(store, mock.agent, { now: () => clock, marginMs: 15 * 60_000 });
    expect(await provider.get()).toBe('SAME');
    clock += 30_000;
    expect(await provider.get()).toBe('SAME');
    expect(calls).toHaveLength(1);
    clock += 31_000;
    expect(await provider.get()).toBe('SAME');
    expect(calls).toHaveLength(2);
  });

  it('keeps using a still-valid token when the refresh near expiry fails, and shares no failure', async () => {
    const clock = 1_000_000;
    await store.set(
      accessTokenKeys(APP_ID).token,
      JSON.stringify({ token: 'STILL_VALID', expiresAt: clock + 120_000 }),
    );
    mock.wechat.intercept({ path: '/cgi-bin/stable_token', method: 'POST' }).reply(503, 'busy');
    const provider = container(store, mock.agent, { now: () => clock });
    expect(await provider.get()).toBe('STILL_VALID');
    // The failure is shared, so another container uses the valid token without calling WeChat.
    expect(await container(store, mock.agent, { now: () => clock }).get()).toBe('STILL_VALID');
  });

  it('never falls back to the token WeChat just rejected', async () => {
    const clock = 1_000_000;
    await store.set(accessTokenKeys(APP_ID).token, JSON.stringify({ token: 'REJECTED', expiresAt: clock + 120_000 }));
    const { createHash } = await import('node:crypto');
    await store.set(accessTokenKeys(APP_ID).rejected, createHash('sha256').update('REJECTED').digest('hex'));
    mock.wechat.intercept({ path: '/cgi-bin/stable_token', method: 'POST' }).reply(503, 'busy');
    const err = await container(store, mock.agent, { now: () => clock })
      .get()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AccessTokenError);
    expect((err as Error).cause).toBeInstanceOf(WeChatTransportError);
  });

  it('in strict mode (the timer) fails a failed refresh even while the current token works', async () => {
    const clock = 1_000_000;
    await store.set(
      accessTokenKeys(APP_ID).token,
      JSON.stringify({ token: 'STILL_VALID', expiresAt: clock + 600_000 }),
    );
    mock.wechat
      .intercept({ path: '/cgi-bin/stable_token', method: 'POST' })
      .reply(200, '{"errcode":40125,"errmsg":"invalid appsecret"}');
    const timer = container(store, mock.agent, { now: () => clock, marginMs: 15 * 60_000, strict: true });
    await expect(timer.get()).rejects.toMatchObject({ name: 'AccessTokenError', cause: { errcode: 40125 } });
    await expect(timer.get()).rejects.toBeInstanceOf(AccessTokenError);
  });

  it('lets another container use a still-valid token while one refreshes it inside the margin', async () => {
    const clock = 1_000_000;
    await store.set(accessTokenKeys(APP_ID).token, JSON.stringify({ token: 'OLD', expiresAt: clock + 120_000 }));
    await store.setIfAbsent(accessTokenKeys(APP_ID).lock, 'someone-else', 10_000);
    const provider = container(store, mock.agent, { now: () => clock });
    expect(await provider.get()).toBe('OLD');
  });

  it('invalidates exactly the rejected token and never a newer one another container wrote', async () => {
    // Nothing answers stable_token here: a refresh would fail the get.
    await store.set(
      accessTokenKeys(APP_ID).token,
      JSON.stringify({ token: 'NEWER', expiresAt: Date.now() + 7_000_000 }),
    );
    const provider = container(store, mock.agent);
    await provider.invalidate('STALE');
    expect(await provider.get()).toBe('NEWER');
  });

  it(
    'asks stable_token again after a rejection, ' + 'and force_refresh only if it hands back the rejected token',
    async () => {
      const calls = serveStableTokens(mock.wechat, ['T1', 'T1', 'T2']);
      const provider = container(store, mock.agent);
      expect(await provider.get()).toBe('T1');
      await provider.invalidate('T1');
      expect(await provider.get()).toBe('T2');
      expect(calls.map((c) => c.force_refresh ?? false)).toEqual([false, false, true]);
    },
  );

  it('does not force_refresh twice within 30 seconds', async () => {
    const calls = serveStableTokens(mock.wechat, ['T1', 'T1', 'T2', 'T2', 'T2']);
    const provider = container(store, mock.agent);
    await provider.get();
    await provider.invalidate('T1');
    expect(await provider.get()).toBe('T2');
    await provider.invalidate('T2');
    const err = await provider.get().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AccessTokenError);
    expect((err as Error).message).toMatch(/force_refresh is rate-limited/);
    expect(calls.filter((c) => c.force_refresh)).toHaveLength(1);
  });

  it('force-refreshes once in 30 seconds when every SET NX is re-sent after a lost reply', async () => {
    const calls = serveStableTokens(mock.wechat, ['T1', 'T1', 'T2', 'T2', 'T2']);
    const provider = container(resendingSetIfAbsent(store), mock.agent);
    await provider.get();
    await provider.invalidate('T1');
    expect(await provider.get()).toBe('T2');
    await provider.invalidate('T2');
    await expect(provider.get()).rejects.toThrow(/force_refresh is rate-limited/);
    expect(calls.filter((c) => c.force_refresh)).toHaveLength(1);
  });

  it('fails without looping when the AppSecret is wrong, for every waiting container', async () => {
    let calls = 0;
    mock.wechat
      .intercept({ path: '/cgi-bin/stable_token', method: 'POST' })
      .reply(200, () => {
        calls++;
        return '{"errcode":40001,"errmsg":"invalid credential"}';
      })
      .delay(100)
      .persist();
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => container(store, mock.agent).get()));
    expect(calls).toBe(1);
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    const first = results.find(
      (r): r is PromiseRejectedResult => r.status === 'rejected' && r.reason.cause instanceof WeChatApiError,
    );
    expect(first?.reason).toMatchObject({ name: 'AccessTokenError', cause: { errcode: 40001 } });
    expect(results.every((r) => (r as PromiseRejectedResult).reason instanceof AccessTokenError)).toBe(true);
    for (const r of results) expect(String((r as PromiseRejectedResult).reason)).not.toContain(SECRET);
  });

  it('gives up waiting for another container after the bounded wait', async () => {
    await store.setIfAbsent(accessTokenKeys(APP_ID).lock, 'hung-container', 60_000);
    const provider = container(resendingSetIfAbsent(store), mock.agent, { waitTimeoutMs: 100, pollIntervalMs: 60_000 });
    await expect(provider.get()).rejects.toThrow(/no access token after waiting 100 ms/);
    expect(await store.get(accessTokenKeys(APP_ID).lock)).toBe('hung-container');
  });

  it('refreshes at once when its lock SET NX was re-sent after a lost reply: it reads back as its own', async () => {
    const calls = serveStableTokens(mock.wechat, ['AFTER_RESENT_LOCK']);
    const lock = accessTokenKeys(APP_ID).lock;
    const provider = container(
      resendingSetIfAbsent(store, (key) => key === lock),
      mock.agent,
      // Mistaking its own lock for another container's would wait the lock out and give up.
      { lockTtlMs: 60_000, waitTimeoutMs: 200 },
    );
    expect(await provider.get()).toBe('AFTER_RESENT_LOCK');
    expect(calls).toHaveLength(1);
    expect(await store.get(lock)).toBeNull();
  });

  it('takes over when the lock holder died and its lock expired', async () => {
    const calls = serveStableTokens(mock.wechat, ['AFTER_TAKEOVER']);
    await store.setIfAbsent(accessTokenKeys(APP_ID).lock, 'dead-container', 100);
    expect(await container(store, mock.agent).get()).toBe('AFTER_TAKEOVER');
    expect(calls).toHaveLength(1);
  });
});

describe.skipIf(!hasRedisServer)(redisSuiteTitle('createAccessTokenProvider on Redis'), () => {
  let server: RedisServer;
  const stores: Store[] = [];
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await server?.stop();
  });

  beforeEach(async () => {
    const admin = new Redis(server.port, '127.0.0.1', { lazyConnect: true });
    await admin.flushall();
    admin.disconnect();
  });

  it(
    'makes exactly one upstream token request for 200 cold containers started at once, each on its own connection',
    stampede(() => {
      const store = createRedisStore(server.url);
      stores.push(store);
      return store;
    }, 200),
  );

  wakeUps(async () => createRedisStore(server.url), { carriesMessages: true });
});

// The token's keys share one Redis Cluster slot (their hash tag), as a cluster node requires of a
// script's keys: see startRedisClusterNode.
describe.skipIf(!hasRedisServer)(redisSuiteTitle('createAccessTokenProvider on a Redis Cluster node'), () => {
  let server: RedisServer;
  const stores: Store[] = [];
  const open = () => {
    const store = createRedisStore(server.url);
    stores.push(store);
    return store;
  };
  beforeAll(async () => {
    server = await startRedisClusterNode();
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await server?.stop();
  });

  it('refuses a script on keys of different slots (the node does check)', async () => {
    const claim = { key: 'wechat:access-token:lock:wxA', owner: 'me', ttlMs: 5_000, unlessPresent: [] };
    await expect(open().getManyAndClaim(['wechat:access-token:wxA'], claim)).rejects.toThrow(/getManyAndClaim/);
  });

  it('shares one token among cold containers, wakes them, and refreshes after a rejection', async () => {
    const { agent, wechat } = createWeChatMock();
    const calls = serveStableTokens(wechat, ['ON_THE_CLUSTER', 'ON_THE_CLUSTER', 'AFTER_REJECTION'], 100);
    const containers = Array.from({ length: 20 }, () =>
      container(open(), agent, { pollIntervalMs: 60_000, waitTimeoutMs: 60_000 }),
    );
    const tokens = await Promise.all(containers.map((c) => c.get()));
    expect(new Set(tokens)).toEqual(new Set(['ON_THE_CLUSTER']));
    expect(calls).toHaveLength(1);
    // The rejected token comes back from stable_token once more: force_refresh, on the same slot.
    await containers[0]!.invalidate('ON_THE_CLUSTER');
    expect(await containers[0]!.get()).toBe('AFTER_REJECTION');
    expect(calls.map((c) => c.force_refresh ?? false)).toEqual([false, false, true]);
    await agent.close();
  });
});
