import { randomUUID } from 'node:crypto';
import { takeClaim } from '../store/claim';
import type { Store } from '../store/store';
import { beijingDay, nextBeijingMidnight } from './beijing-day';

/**
 * One limit for every caller of sendall and send on an account, kept in the shared store so
 * every container and the dispatcher count together: WeChat allows 60 mass-send requests a
 * minute per account (45011 after that) and a verified service account 100 a day, counted on
 * Beijing days (45009).
 *
 * The minute is a sliding window of 60 slots: a call takes a free slot and holds it for the
 * window, so no 60-second span ever holds more than 60 calls, wherever it starts. A slot holds
 * the time it was taken by our clock (not a store TTL), so the limit follows the clock the
 * product is given; the window is a second longer than WeChat's to absorb the time a call
 * takes to reach WeChat. The day is a counter per Beijing day.
 */
export const PER_MINUTE = 60;
export const PER_DAY = 100;
export const WINDOW_MS = 61_000;

export type Permit = { ok: true } | { ok: false; limit: 'minute' | 'day'; retryAfterMs: number; until: number };

export interface MassSendLimit {
  /** Takes one mass-send call from the shared allowance, or says when one is free again. */
  take(): Promise<Permit>;
  /** WeChat answered 45009 (calls made elsewhere, e.g. the web console, count too): none left today. */
  exhaustToday(): Promise<void>;
  usedToday(): Promise<number>;
}

export interface MassSendLimitOptions {
  store: Store;
  appId: string;
  now: () => number;
  perMinute?: number;
  perDay?: number;
}

export function createMassSendLimit(options: MassSendLimitOptions): MassSendLimit {
  const { store, appId, now, perMinute = PER_MINUTE, perDay = PER_DAY } = options;
  const slotKey = (i: number) => `ratelimit:${appId}:mass:slot:${i}`;
  const dayKey = (day: number) => `ratelimit:${appId}:mass:day:${day}`;
  // Keys outlive their use by a margin, whatever clock the store keeps.
  const slotTtl = WINDOW_MS * 2;
  const dayTtl = 2 * 86_400_000;

  /** A free minute slot taken, or the ms until the earliest one frees. */
  async function takeSlot(at: number): Promise<number | undefined> {
    let earliest = Number.POSITIVE_INFINITY;
    const first = Math.floor(Math.random() * perMinute);
    for (let k = 0; k < perMinute; k++) {
      const key = slotKey((first + k) % perMinute);
      const mine = `${at}:${randomUUID()}`;
      const raw = await store.get(key);
      if (raw === null) {
        if ((await takeClaim(store, key, mine, slotTtl)).ours) return undefined;
        continue;
      }
      const takenAt = Number(raw.slice(0, raw.indexOf(':')));
      const freeIn = takenAt + WINDOW_MS - at;
      if (freeIn <= 0 || !Number.isFinite(takenAt)) {
        // Only the caller whose compare-and-delete removes this exact holder may retake it.
        if ((await store.compareAndDelete(key, raw)) && (await takeClaim(store, key, mine, slotTtl)).ours)
          return undefined;
        continue;
      }
      earliest = Math.min(earliest, freeIn);
    }
    return Number.isFinite(earliest) ? earliest : 1_000;
  }

  return {
    async take() {
      const at = now();
      const wait = await takeSlot(at);
      if (wait !== undefined) return { ok: false, limit: 'minute', retryAfterMs: wait, until: at + wait };
      const used = await store.increment(dayKey(beijingDay(at)), dayTtl);
      if (used > perDay) {
        const until = nextBeijingMidnight(at);
        return { ok: false, limit: 'day', retryAfterMs: until - at, until };
      }
      return { ok: true };
    },
    async exhaustToday() {
      const key = dayKey(beijingDay(now()));
      await store.set(key, String(perDay), dayTtl);
    },
    async usedToday() {
      const raw = await store.get(dayKey(beijingDay(now())));
      return raw === null ? 0 : Math.min(Number(raw), perDay);
    },
  };
}
