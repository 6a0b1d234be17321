/**
 * The sandbox's sense of time. Tests inject `now` or advance an offset, so token expiry, the
 * 60-a-minute window and day/month quotas can be crossed without waiting.
 */
export interface SandboxClock {
  now(): number;
  /** Moves sandbox time forward; returns the new now. */
  advance(ms: number): number;
}

export function createClock(base: () => number = Date.now): SandboxClock {
  let offsetMs = 0;
  return {
    now: () => base() + offsetMs,
    advance(ms) {
      offsetMs += ms;
      return base() + offsetMs;
    },
  };
}

// WeChat counts "a day" and "a month" on Beijing time (UTC+8, no daylight saving).
const BEIJING_OFFSET_MS = 8 * 3_600_000;

export function beijingDay(ms: number): number {
  return Math.floor((ms + BEIJING_OFFSET_MS) / 86_400_000);
}

export function beijingMonth(ms: number): number {
  const date = new Date(ms + BEIJING_OFFSET_MS);
  return date.getUTCFullYear() * 12 + date.getUTCMonth();
}
