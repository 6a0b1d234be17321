import { describe, expect, it } from 'vitest';
import { enterWindow } from '../../../shared/store/window';

describe("enterWindow, the memory and file stores' sliding window", () => {
  const take = {
    key: 'w',
    windowMs: 61_000,
    at: 1_000_000,
    id: 'new',
    ttlMs: 122_000,
    counter: { key: 'c', ttlMs: 1 },
  };

  it('lets a call in below the limit and drops calls that left the window', () => {
    const raw = JSON.stringify([
      [take.at - 61_000, 'left'],
      [take.at - 1_000, 'kept'],
    ]);
    const entered = enterWindow(raw, { ...take, limit: 2 });
    expect(entered).toEqual({
      value: JSON.stringify([
        [take.at - 1_000, 'kept'],
        [take.at, 'new'],
      ]),
    });
  });

  it('refuses a full window with the time until its earliest call leaves, however large the limit', () => {
    // MASS_SEND_PER_MINUTE is configurable: a window this full must not overflow the stack.
    const limit = 200_000;
    const calls = Array.from({ length: limit }, (_, i) => [take.at - 30_000 + (i % 1000), `c${i}`]);
    expect(enterWindow(JSON.stringify(calls), { ...take, limit })).toEqual({ freeInMs: 31_000 });
  });
});
