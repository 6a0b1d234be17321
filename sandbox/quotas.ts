import type { SandboxClock } from './clock';
import { beijingDay, beijingMonth } from './clock';
import { WeChatError } from './errors';

/**
 * WeChat's mass-send limits. Each switch can be turned off (the benchmark does):
 * - perMinute: 60 mass-send requests (sendall + send) per account in any 60 s → 45011.
 * - daily: a service account's 100 mass calls a day and 100 previews a day → 45009; a
 *   subscription account's one successful sendall a day → 45028.
 * - monthly: on a service account each follower receives at most 4 mass messages a calendar
 *   month (the rest fail for that follower) and at most 4 `is_to_all` sends a month → 45028.
 * Counters keep counting while a switch is off, so switching it on later uses real counts.
 */
export interface Limits {
  perMinute: boolean;
  daily: boolean;
  monthly: boolean;
}

const PER_MINUTE = 60;
const WINDOW_MS = 60_000;

export class QuotaBook {
  private readonly minuteWindows = new Map<string, number[]>();
  private readonly counters = new Map<string, number>();

  constructor(
    private readonly clock: SandboxClock,
    readonly limits: Limits,
  ) {}

  /** Counts one mass-send request in the sliding minute; rejected requests do not count. */
  takeMinute(appid: string): void {
    const now = this.clock.now();
    const recent = (this.minuteWindows.get(appid) ?? []).filter((at) => now - at < WINDOW_MS);
    if (this.limits.perMinute && recent.length >= PER_MINUTE) {
      this.minuteWindows.set(appid, recent);
      throw new WeChatError(45011);
    }
    recent.push(now);
    this.minuteWindows.set(appid, recent);
  }

  /** Counts one use of a daily allowance, or throws `errcode` once `max` is reached. */
  takeDaily(key: string, max: number, errcode: number, hint?: string): void {
    const counterKey = `day:${beijingDay(this.clock.now())}:${key}`;
    const used = this.counters.get(counterKey) ?? 0;
    if (this.limits.daily && used >= max) throw new WeChatError(errcode, hint);
    this.counters.set(counterKey, used + 1);
  }

  usedToday(key: string): number {
    return this.counters.get(`day:${beijingDay(this.clock.now())}:${key}`) ?? 0;
  }

  addToday(key: string): void {
    const counterKey = `day:${beijingDay(this.clock.now())}:${key}`;
    this.counters.set(counterKey, (this.counters.get(counterKey) ?? 0) + 1);
  }

  usedThisMonth(key: string): number {
    return this.counters.get(`month:${beijingMonth(this.clock.now())}:${key}`) ?? 0;
  }

  addThisMonth(key: string): void {
    const counterKey = `month:${beijingMonth(this.clock.now())}:${key}`;
    this.counters.set(counterKey, (this.counters.get(counterKey) ?? 0) + 1);
  }

  clear(): void {
    this.minuteWindows.clear();
    this.counters.clear();
  }
}
