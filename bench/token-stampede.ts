import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildVendor, bundleAsShipped, VENDORS } from '../scripts/build';
import { startRedisServer } from '../test/support/redis-server';
import type { Store } from '../shared/store/store';
import type { Cleanup } from './cleanup';
import { startFakeTokenServer } from './fake-token-server';
import { median, round } from './stats';

export interface TokenStampedeOptions {
  containers: number;
  rounds: number;
  /** How long the fake stable_token takes to answer. */
  upstreamDelayMs: number;
  cleanup: Cleanup;
}

export interface StampedeRound {
  appId: string;
  upstreamRequests: number;
  distinctTokens: number;
  slowestWaitMs: number;
  medianWaitMs: number;
  /** One container alone, cold, against the same Redis and token server. */
  loneContainerWaitMs: number;
  loneUpstreamRequests: number;
  /** The lone container's stable_token request reaching WeChat, from its start. */
  loneTokenRequestedMs: number;
  /** From the containers' start to the lock holder's stable_token request reaching WeChat. */
  tokenRequestedMs: number;
  /**
   * From the containers' start to the lock holder calling its token fetcher (its look answered).
   * Up to tokenRequestedMs the request is on its way: the holder's HTTP request still goes out
   * through the event loop the waiting containers share in this process. The fake WeChat runs in
   * a process of its own (bench/fake-token-server.ts); until the third session it ran in this one
   * and read the request only once the loop had handled the waiters' looks and XREADs too.
   */
  tokenFetchStartedMs: number;
  /** From the containers' start to stable_token answering the lock holder. */
  tokenAnsweredMs: number;
  /** slowestWaitMs − tokenAnsweredMs: how long the last container took to hold the token once it existed. */
  slowestAfterTokenMs: number;
  /** CPU time the bench process (all 200 containers) used in the round: less load-sensitive than wall time. */
  cpuMs: number;
}

export interface TokenStampedeResult {
  containers: number;
  upstreamDelayMs: number;
  rounds: StampedeRound[];
  /** Over the rounds: the most upstream requests any round made (goal: 1). */
  maxUpstreamRequests: number;
  slowestWaitMs: number;
  loneContainerWaitMs: number;
  /** slowestWaitMs − loneContainerWaitMs: what waiting on another container's refresh costs. */
  extraWaitMs: number;
  /** Median over rounds of slowestAfterTokenMs: the wake-up's share of extraWaitMs. */
  slowestAfterTokenMs: number;
  /**
   * Median over rounds of tokenRequestedMs − loneTokenRequestedMs: the share of extraWaitMs spent
   * before the lock holder's request leaves, which is mostly 200 containers' connections and
   * first reads sharing one process (separate SCF containers do not share a CPU).
   */
  requestDelayMs: number;
  /** Median over rounds of tokenRequestedMs − tokenFetchStartedMs (diagnostic). */
  requestReadDelayMs: number;
}

type Shipped = typeof import('./stampede-containers');

/**
 * The containers' code as it ships: minified, with the ioredis vendor file. Run from the
 * TypeScript under tsx it was neither (tsx keeps names: a `__name` call per inner function per
 * container; and ioredis came whole from node_modules).
 */
async function loadShipped(cleanup: Cleanup): Promise<Shipped> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-stampede-'));
  cleanup.defer('stampede bundle', () => rmSync(dir, { recursive: true, force: true }));
  const bundle = join(dir, 'stampede', 'index.js');
  await Promise.all([
    bundleAsShipped(join(import.meta.dirname, 'stampede-containers.ts'), bundle),
    buildVendor(VENDORS.ioredis, join(dir, VENDORS.ioredis.file)),
  ]);
  return createRequire(import.meta.url)(bundle) as Shipped;
}

/** Cold containers started together: each its own Redis connection, fetcher and provider. */
async function startContainers(shipped: Shipped, count: number, appId: string, redisUrl: string, tokenUrl: string) {
  const { createRedisStore, createTokenFetcher, createAccessTokenProvider } = shipped;
  const stores: Store[] = [];
  let fetchStartedAt = Number.NaN;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = await Promise.all(
    Array.from({ length: count }, async () => {
      const store = createRedisStore(redisUrl);
      stores.push(store);
      const fetchToken = createTokenFetcher({
        appId,
        appSecret: 'bench-secret-not-real',
        baseUrl: tokenUrl,
        timeoutMs: 10_000,
        kind: 'stable',
      });
      const provider = createAccessTokenProvider({
        appId,
        store,
        fetchToken: (options) => {
          if (Number.isNaN(fetchStartedAt)) fetchStartedAt = performance.now();
          return fetchToken(options);
        },
      });
      const token = await provider.get();
      return { token, ms: performance.now() - started };
    }),
  ).finally(() => Promise.all(stores.map((s) => s.close())));
  const used = process.cpuUsage(cpu);
  return { waits: result, started, fetchStartedAt, cpuMs: (used.user + used.system) / 1000 };
}

export async function measureTokenStampede(options: TokenStampedeOptions): Promise<TokenStampedeResult> {
  const { containers, rounds, upstreamDelayMs, cleanup } = options;
  const redis = await startRedisServer();
  cleanup.defer('redis-server (token stampede)', () => redis.stop());
  const upstream = await startFakeTokenServer(upstreamDelayMs);
  cleanup.defer('fake token server', () => upstream.close());
  const shipped = await loadShipped(cleanup);

  const results: StampedeRound[] = [];
  for (let r = 0; r < rounds; r += 1) {
    // A fresh AppID per round: nothing cached in Redis from earlier rounds.
    const loneAppId = `wxbenchlone${r}`;
    const {
      waits: [lone],
      started: loneStarted,
    } = await startContainers(shipped, 1, loneAppId, redis.url, upstream.url);
    const appId = `wxbenchstampede${r}`;
    const { waits, started, fetchStartedAt, cpuMs } = await startContainers(
      shipped,
      containers,
      appId,
      redis.url,
      upstream.url,
    );
    const ms = waits.map((w) => w.ms);
    const timeline = await upstream.state(appId);
    const loneTimeline = await upstream.state(loneAppId);
    const answered = (timeline.answeredAt ?? Number.NaN) - started;
    results.push({
      appId,
      upstreamRequests: timeline.requests,
      distinctTokens: new Set(waits.map((w) => w.token)).size,
      slowestWaitMs: round(Math.max(...ms)),
      medianWaitMs: round(median(ms)),
      loneContainerWaitMs: round(lone!.ms),
      loneUpstreamRequests: loneTimeline.requests,
      loneTokenRequestedMs: round((loneTimeline.requestedAt ?? Number.NaN) - loneStarted),
      tokenRequestedMs: round((timeline.requestedAt ?? Number.NaN) - started),
      tokenFetchStartedMs: round(fetchStartedAt - started),
      tokenAnsweredMs: round(answered),
      slowestAfterTokenMs: round(Math.max(...ms) - answered),
      cpuMs: round(cpuMs),
    });
  }
  const slowest = median(results.map((r) => r.slowestWaitMs));
  const lone = median(results.map((r) => r.loneContainerWaitMs));
  return {
    containers,
    upstreamDelayMs,
    rounds: results,
    maxUpstreamRequests: Math.max(...results.map((r) => r.upstreamRequests)),
    slowestWaitMs: round(slowest),
    loneContainerWaitMs: round(lone),
    extraWaitMs: round(slowest - lone),
    slowestAfterTokenMs: round(median(results.map((r) => r.slowestAfterTokenMs))),
    requestDelayMs: round(median(results.map((r) => r.tokenRequestedMs - r.loneTokenRequestedMs))),
    requestReadDelayMs: round(median(results.map((r) => r.tokenRequestedMs - r.tokenFetchStartedMs))),
  };
}
