// WeChat counts its daily quotas (100 mass-send calls a day on a service account, 45009 after
// that) on Beijing time: UTC+8, no daylight saving.
const BEIJING_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

export function beijingDay(ms: number): number {
  return Math.floor((ms + BEIJING_OFFSET_MS) / DAY_MS);
}

/** The first millisecond of the next Beijing day. */
export function nextBeijingMidnight(ms: number): number {
  return (beijingDay(ms) + 1) * DAY_MS - BEIJING_OFFSET_MS;
}
