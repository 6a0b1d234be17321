import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMassSendLimit, type Permit, WINDOW_MS } from '../../../shared/jobs/mass-send-limit';
import { nextBeijingMidnight } from '../../../shared/jobs/beijing-day';
import { createMemoryStore } from '../../../shared/store/memory-store';
import { createRedisStore } from '../../../shared/store/redis-store';
import type { Store } from '../../../shared/store/store';
import {
  hasRedisServer,
  type RedisServer,
  redisSuiteTitle,
  startRedisClusterNode,
  startRedisServer,
} from '../../support/redis-server';

// 10:00 in Beijing on 15 January 2025.
const START = Date.UTC(2025, 0, 15, 2, 0, 0);

function setup(start = START) {
  let now = start;
  const store = createMemoryStore(() => now);
  const options = { store, appId: 'wx-app', now: () => now };
  return { store, options, limit: createMassSendLimit(options), advance: (ms: number) => (now += ms), at: () => now };
}

describe('createMassSendLimit', () => {
  it('grants 60 calls in a minute and says when the 61st may go', async () => {
    const { limit, advance } = setup();
    for (let i = 0; i < 60; i++) {
      expect(await limit.take()).toEqual({ ok: true });
      advance(500);
    }
    const refused = await limit.take();
    expect(refused).toMatchObject({ ok: false, limit: 'minute' });
    // The first call was 30 s ago: its slot frees 31 s from now (a 61 s window).
    expect(refused.ok === false && refused.retryAfterMs).toBe(WINDOW_MS - 30_000);
    advance(WINDOW_MS - 30_000);
    expect(await limit.take()).toEqual({ ok: true });
    expect(await limit.take()).toMatchObject({ ok: false, limit: 'minute' });
  });

  it('never lets 61 calls into any window, whatever the timing (sliding, not per clock minute)', async () => {
    const { options, advance, at } = setup(START + 59_000);
    const limit = createMassSendLimit({ ...options, perDay: 10_000 });
    const granted: number[] = [];
    for (let step = 0; step < 1_000; step++) {
      if ((await limit.take()).ok) granted.push(at());
      advance(137);
    }
    for (const start of granted) {
      expect(granted.filter((t) => t >= start && t < start + 60_000).length).toBeLessThanOrEqual(60);
    }
    // 137 s of calls: more than one window's worth got through, none in excess.
    expect(granted.length).toBeGreaterThan(120);
  });

  it('counts one limit across containers sharing the store', async () => {
    const { options, advance } = setup();
    const a = createMassSendLimit(options);
    const b = createMassSendLimit(options);
    const results = await Promise.all(Array.from({ length: 90 }, (_, i) => (i % 2 ? a : b).take()));
    expect(results.filter((r) => r.ok)).toHaveLength(60);
    advance(WINDOW_MS);
    expect((await a.take()).ok).toBe(true);
  });

  it('grants 100 calls a Beijing day, then refuses until Beijing midnight', async () => {
    const { limit, advance, at } = setup();
    for (let i = 0; i < 100; i++) {
      expect((await limit.take()).ok).toBe(true);
      advance(WINDOW_MS);
    }
    const refused = await limit.take();
    expect(refused).toMatchObject({ ok: false, limit: 'day', until: nextBeijingMidnight(at()) });
    expect(new Date(nextBeijingMidnight(at())).toISOString()).toBe('2025-01-15T16:00:00.000Z');
    advance(nextBeijingMidnight(at()) - at());
    expect((await limit.take()).ok).toBe(true);
  });

  it('after WeChat answers 45009, grants nothing more that Beijing day', async () => {
    const { limit } = setup();
    expect((await limit.take()).ok).toBe(true);
    await limit.exhaustToday();
    expect(await limit.take()).toMatchObject({ ok: false, limit: 'day' });
    expect(await limit.usedToday()).toBe(100);
  });

  it('keeps the window under one key, whatever the per-minute limit', async () => {
    const { store, options } = setup();
    const limit = createMassSendLimit({ ...options, perMinute: 100_000, perDay: 100_000 });
    for (let i = 0; i < 5; i++) expect(await limit.take()).toEqual({ ok: true });
    expect(store.size).toBe(2);
  });
});

// A cold send waits for each of the limit's round trips: on Redis one script lets the call into
// the minute and counts the day. Its keys share the AppID's hash tag, as a cluster node requires of a script.
for (const [title, start] of [
  ['on Redis', () => startRedisServer()],
  ['on a Redis Cluster node', () => startRedisClusterNode()],
] as const) {
  describe.skipIf(!hasRedisServer)(redisSuiteTitle(`createMassSendLimit ${title}`), () => {
    let server: RedisServer;
    let store: Store;
    let admin: Redis;
    beforeAll(async () => {
      server = await start();
      store = createRedisStore(server.url);
      admin = new Redis(server.port, '127.0.0.1');
    });
    afterAll(async () => {
      admin?.disconnect();
      await store?.close();
      await server?.stop();
    });

    /** The commands clients send (MONITOR; a script's own calls left out) while `run` runs. */
    async function commandsSentDuring(run: () => Promise<unknown>): Promise<Record<string, number>> {
      const monitor = await admin.monitor();
      const sent: Record<string, number> = {};
      monitor.on('monitor', (_time: string, args: string[], source: string) => {
        if (source !== 'lua') sent[args[0]!.toLowerCase()] = (sent[args[0]!.toLowerCase()] ?? 0) + 1;
      });
      try {
        await run();
        // MONITOR's lines for those commands reach it after their replies reach the store.
        await new Promise((r) => setTimeout(r, 100));
      } finally {
        monitor.disconnect();
      }
      return sent;
    }

    it('grants 60 calls in a window and 100 a Beijing day across containers, in one round trip each', async () => {
      let now = START;
      const appId = `wx-${title.length}-${Date.now()}`;
      const a = createMassSendLimit({ store, appId, now: () => now });
      const other = createRedisStore(server.url);
      const b = createMassSendLimit({ store: other, appId, now: () => now });
      try {
        let first: Permit[] = [];
        const sent = await commandsSentDuring(async () => {
          first = await Promise.all(Array.from({ length: 70 }, (_, i) => (i % 2 ? a : b).take()));
        });
        expect(sent).toEqual({ eval: 70 });
        expect(first.filter((p) => p.ok)).toHaveLength(60);
        expect(first.find((p) => !p.ok)).toMatchObject({ limit: 'minute', retryAfterMs: WINDOW_MS });
        now += WINDOW_MS;
        const second = await Promise.all(Array.from({ length: 60 }, () => a.take()));
        expect(second.filter((p) => p.ok)).toHaveLength(40);
        expect(second.find((p) => !p.ok)).toMatchObject({ limit: 'day', until: nextBeijingMidnight(now) });
        expect(await a.usedToday()).toBe(100);
      } finally {
        await other.close();
      }
    });
  });
}
