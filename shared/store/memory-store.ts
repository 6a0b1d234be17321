import type { Store } from './store';

interface Entry {
  value: string;
  expiresAt: number;
}

/** One process only: tests, and a single long-lived container. */
export function createMemoryStore(now: () => number = Date.now): Store {
  const entries = new Map<string, Entry>();

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
  }

  return {
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
      const entry = read(key);
      const next = (entry ? Number(entry.value) : 0) + 1;
      if (entry) entry.value = String(next);
      else write(key, String(next), ttlMs);
      return next;
    },
    async close() {
      entries.clear();
    },
  };
}
