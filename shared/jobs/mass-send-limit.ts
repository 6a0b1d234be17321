import { randomUUID } from 'node:crypto';
import type { Store } from '../store/store';
import { beijingDay, nextBeijingMidnight } from './beijing-day';

/**
 * One limit for every caller of sendall and send on an account, kept in the shared store so
 * every container and the dispatcher count together: WeChat allows 60 mass-send requests a
 * minute per account (45011 after that) and a verified service account 100 a day, counted on
 * Beijing days (45009).
 *
 * The minute is a sliding window: a call is let in while fewer than 60 calls were let in during
 * the window before it, so no 60-second span ever holds more than 60 calls, wherever it starts.
 * Each call is kept with the time it was taken by our clock (not a store TTL), so the limit
 * follows the clock the product is given; the window is a second longer than WeChat's to absorb
 * the time a call takes to reach WeChat. The day is a counter per Beijing day, counted in the
 * same step (Store.takeWindowSlot: one round trip on Redis, which a cold send waits for). A take
 * that ioredis re-sends after a lost reply counts twice: the limit errs on the side of fewer calls.
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
  const keys = massSendLimitKeys(appId);
  // Keys outlive their use by a margin, whatever clock the store keeps.
  const windowTtl = WINDOW_MS * 2;
  const dayTtl = 2 * 86_400_000;

  return {
    async take() {
      const at = now();
      const taken = await store.takeWindowSlot({
        key: keys.minute,
        limit: perMinute,
        windowMs: WINDOW_MS,
        at,
        id: randomUUID(),
        ttlMs: windowTtl,
        counter: { key: keys.day(beijingDay(at)), ttlMs: dayTtl, limit: perDay },
      });
      if ('freeInMs' in taken) {
        return { ok: false, limit: 'minute', retryAfterMs: taken.freeInMs, until: at + taken.freeInMs };
      }
      if (!taken.taken || taken.count > perDay) {
        const until = nextBeijingMidnight(at);
        return { ok: false, limit: 'day', retryAfterMs: until - at, until };
      }
      return { ok: true };
    },
    async exhaustToday() {
      await store.set(keys.day(beijingDay(now())), String(perDay), dayTtl);
    },
    async usedToday() {
      const raw = await store.get(keys.day(beijingDay(now())));
      return raw === null ? 0 : Math.min(Number(raw), perDay);
    },
  };
}

/**
 * The store keys of one account's allowance. The AppID in braces is their Redis Cluster hash tag:
 * one slot for both, as the script that lets a call into the minute and counts the day in one round trip
 * (Store.takeWindowSlot) needs on a cluster. These replaced 60 untagged slot keys and an untagged
 * day (`ratelimit:wx…:mass:…`): the minute and the day a deploy lands in count from zero again,
 * and WeChat's own 45011 and 45009 (which exhaustToday records) still stop calls past its limits.
 */
export function massSendLimitKeys(appId: string) {
  const tag = `{${appId}}`;
  return {
    minute: `ratelimit:${tag}:mass:minute`,
    day: (day: number) => `ratelimit:${tag}:mass:day:${day}`,
  };
}
