import { CHANNEL_TTL_MS, type ChannelChange, type Store } from './store';
import { counterFull, enterWindow } from './window';

interface Entry {
  value: string;
  expiresAt: number;
}

/**
 * One process only: tests, and a single long-lived container. `size` counts the entries held,
 * expired ones not yet swept included.
 */
export function createMemoryStore(now: () => number = Date.now): Store & { readonly size: number } {
  const entries = new Map<string, Entry>();
  let writesSinceSweep = 0;
  let sweepAfter = 1_024;
  const waiters = new Map<string, Set<() => void>>();
  const messages = new Map<string, { version: string; message?: string }>();
  let notifies = 0;

  function read(key: string): Entry | undefined {
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  }

  function write(key: string, value: string, ttlMs?: number): void {
    entries.set(key, { value, expiresAt: ttlMs === undefined ? Infinity : now() + ttlMs });
    // Keys that are written once and never read again (a callback's replay claims, kept 10
    // minutes) would otherwise stay for the process's life. Sweeping once the writes since the
    // last sweep match the entries it left keeps the cost per write constant on average, and the
    // store at most about twice its live entries.
    writesSinceSweep += 1;
    if (writesSinceSweep >= sweepAfter) sweep();
  }

  function count(key: string, ttlMs: number): number {
    const entry = read(key);
    const next = (entry ? Number(entry.value) : 0) + 1;
    if (entry) entry.value = String(next);
    else write(key, String(next), ttlMs);
    return next;
  }

  function sweep(): void {
    writesSinceSweep = 0;
    const at = now();
    // forEach rather than for…of: no [key, value] array per entry; deleting while iterating is allowed.
    entries.forEach((entry, key) => {
      if (entry.expiresAt <= at) entries.delete(key);
    });
    sweepAfter = Math.max(1_024, entries.size);
  }

  return {
    get size() {
      return entries.size;
    },
    async get(key) {
      return read(key)?.value ?? null;
    },
    async set(key, value, ttlMs) {
      write(key, value, ttlMs);
    },
    async setIfAbsent(key, value, ttlMs) {
      if (read(key)) return false;
      write(key, value, ttlMs);
      return true;
    },
    async compareAndDelete(key, expected) {
      if (read(key)?.value !== expected) return false;
      entries.delete(key);
      return true;
    },
    async delete(key) {
      entries.delete(key);
    },
    async increment(key, ttlMs) {
      return count(key, ttlMs);
    },
    async getMany(keys) {
      return keys.map((key) => read(key)?.value ?? null);
    },
    async getManyAndClaim(keys, { key, owner, ttlMs, unlessPresent }) {
      if (!read(key) && unlessPresent.every((k) => !read(k))) write(key, owner, ttlMs);
      return { values: keys.map((k) => read(k)?.value ?? null), holder: read(key)?.value ?? null };
    },
    async takeWindowSlot(take) {
      if (counterFull(read(take.counter.key)?.value, take)) return { taken: false, counterFull: true };
      const entered = enterWindow(read(take.key)?.value, take);
      if ('freeInMs' in entered) return { taken: false, freeInMs: entered.freeInMs };
      write(take.key, entered.value, take.ttlMs);
      return { taken: true, count: count(take.counter.key, take.counter.ttlMs) };
    },
    async notifyChange(channel, message) {
      notifies += 1;
      const version = String(notifies);
      write(channel, version, CHANNEL_TTL_MS);
      messages.set(channel, message === undefined ? { version } : { version, message });
      for (const wake of waiters.get(channel) ?? []) wake();
    },
    waitForChange(channel, afterVersion, timeoutMs) {
      const changeNow = (): ChannelChange => {
        const version = read(channel)?.value ?? null;
        const last = messages.get(channel);
        return last?.version === version && last.message !== undefined ? last : { version };
      };
      if (changeNow().version !== afterVersion || timeoutMs <= 0) return Promise.resolve(changeNow());
      return new Promise((resolve) => {
        const listeners = waiters.get(channel) ?? new Set();
        waiters.set(channel, listeners);
        const wake = () => {
          clearTimeout(timer);
          listeners.delete(wake);
          if (listeners.size === 0) waiters.delete(channel);
          resolve(changeNow());
        };
        const timer = setTimeout(wake, timeoutMs);
        listeners.add(wake);
      });
    },
    async close() {
      entries.clear();
      messages.clear();
      for (const listeners of waiters.values()) for (const wake of listeners) wake();
    },
  };
}
