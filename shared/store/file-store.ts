import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Store } from './store';

interface Entry {
  value: string;
  expiresAt: number | null;
}

export interface FileStoreOptions {
  now?: () => number;
  /** A lock older than this is taken to be left by a crashed process (default 10 s). */
  staleLockMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The embedded store for running every function on one machine: one file per key in `dir`,
 * so it survives restarts. Several function processes share it: every write happens under a
 * per-key lock file created with O_EXCL (atomic across processes), and values are replaced
 * by rename, so readers never see half a file. A lock whose owner process is gone, or that is
 * older than `staleLockMs`, is broken.
 */
export function createFileStore(dir: string, options: FileStoreOptions = {}): Store {
  const { now = Date.now, staleLockMs = 10_000 } = options;
  const ready = mkdir(dir, { recursive: true });
  const fileOf = (key: string) => join(dir, createHash('sha256').update(key).digest('hex').slice(0, 40));

  async function read(file: string): Promise<Entry | undefined> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    const entry = JSON.parse(text) as Entry;
    return entry.expiresAt !== null && entry.expiresAt <= now() ? undefined : entry;
  }

  async function write(file: string, value: string, ttlMs?: number): Promise<void> {
    const temp = `${file}.${randomUUID()}.tmp`;
    const entry: Entry = { value, expiresAt: ttlMs === undefined ? null : now() + ttlMs };
    await writeFile(temp, JSON.stringify(entry));
    await rename(temp, file);
  }

  async function breakIfStale(lock: string): Promise<void> {
    try {
      const [owner, info] = await Promise.all([readFile(lock, 'utf8'), stat(lock)]);
      const pid = Number(owner);
      if ((pid > 0 && !isAlive(pid)) || Date.now() - info.mtimeMs > staleLockMs) await rm(lock, { force: true });
    } catch {
      // The lock vanished while we looked: its owner finished.
    }
  }

  async function withLock<T>(key: string, action: (file: string) => Promise<T>): Promise<T> {
    await ready;
    const file = fileOf(key);
    const lock = `${file}.lock`;
    for (let attempt = 0; ; attempt++) {
      try {
        const handle = await open(lock, 'wx');
        await handle.writeFile(String(process.pid));
        await handle.close();
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        if (attempt % 20 === 19) await breakIfStale(lock);
        await sleep(Math.min(1 + attempt, 10));
      }
    }
    try {
      return await action(file);
    } finally {
      await rm(lock, { force: true });
    }
  }

  return {
    async get(key) {
      await ready;
      return (await read(fileOf(key)))?.value ?? null;
    },
    set: (key, value, ttlMs) => withLock(key, (file) => write(file, value, ttlMs)),
    setIfAbsent: (key, value, ttlMs) =>
      withLock(key, async (file) => {
        if (await read(file)) return false;
        await write(file, value, ttlMs);
        return true;
      }),
    compareAndDelete: (key, expected) =>
      withLock(key, async (file) => {
        if ((await read(file))?.value !== expected) return false;
        await rm(file, { force: true });
        return true;
      }),
    delete: (key) => withLock(key, (file) => rm(file, { force: true })),
    increment: (key, ttlMs) =>
      withLock(key, async (file) => {
        const entry = await read(file);
        const next = (entry ? Number(entry.value) : 0) + 1;
        const remaining = entry ? (entry.expiresAt === null ? undefined : entry.expiresAt - now()) : ttlMs;
        await write(file, String(next), remaining);
        return next;
      }),
    async close() {},
  };
}
