import { describe, expect, it } from 'vitest';
import { createMassSendLimit, PER_MINUTE, WINDOW_MS } from '../../../shared/jobs/mass-send-limit';
import { nextBeijingMidnight } from '../../../shared/jobs/beijing-day';
import { createMemoryStore } from '../../../shared/store/memory-store';
import type { Store } from '../../../shared/store/store';
import { resendingSetIfAbsent } from '../../support/resending-store';

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

  it('takes one slot a call when every SET NX is re-sent after a lost reply, and still refuses the 61st', async () => {
    const { store, options, advance } = setup();
    const limit = createMassSendLimit({ ...options, store: resendingSetIfAbsent(store), perDay: 10_000 });
    expect(await limit.take()).toEqual({ ok: true });
    expect(await slotsHeld(store)).toBe(1);
    for (let i = 1; i < 60; i++) expect(await limit.take()).toEqual({ ok: true });
    // Every slot is now held by another call's owner: none reads back as this call's.
    expect(await limit.take()).toMatchObject({ ok: false, limit: 'minute' });

    // Taking over a slot whose window has passed re-sends its SET NX too.
    advance(WINDOW_MS);
    for (let i = 0; i < 60; i++) expect(await limit.take()).toEqual({ ok: true });
    expect(await limit.take()).toMatchObject({ ok: false, limit: 'minute' });
  });
});

async function slotsHeld(store: Store): Promise<number> {
  let held = 0;
  for (let i = 0; i < PER_MINUTE; i++) if ((await store.get(`ratelimit:wx-app:mass:slot:${i}`)) !== null) held += 1;
  return held;
}
