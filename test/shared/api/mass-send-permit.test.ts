import { afterEach, describe, expect, it, vi } from 'vitest';
import { takeMassSendPermit } from '../../../shared/api/mass-send-permit';
import type { MassSendLimit, Permit } from '../../../shared/jobs/mass-send-limit';

/** A shared minute that stays full: every take hears of a slot 500 ms away, then loses it. */
function fullMinute(): MassSendLimit & { takes: number[] } {
  const takes: number[] = [];
  return {
    takes,
    take: async (): Promise<Permit> => {
      takes.push(Date.now());
      return { ok: false, limit: 'minute', retryAfterMs: 500, until: Date.now() + 500 };
    },
    exhaustToday: async () => {},
    usedToday: async () => 60,
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('takeMassSendPermit', () => {
  it('waits at most 2 s in all for a minute slot, then answers 429 with Retry-After', async () => {
    vi.useFakeTimers({ now: 0 });
    const limit = fullMinute();
    let answer: unknown;
    void takeMassSendPermit(limit).then((result) => (answer = result));
    await vi.advanceTimersByTimeAsync(2_500);
    expect(answer).toMatchObject({ status: 429, code: 'rate_limited', headers: { 'retry-after': '1' } });
    expect(limit.takes).toEqual([0, 500, 1_000, 1_500, 2_000]);
  });

  it('sends at once when a slot is free', async () => {
    const limit: MassSendLimit = { ...fullMinute(), take: async () => ({ ok: true }) };
    expect(await takeMassSendPermit(limit)).toBeUndefined();
  });
});
