import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { getManyAndClaimInSteps } from './claim';
import { CHANNEL_TTL_MS, type Store } from './store';
import { counterFull, enterWindow } from './window';

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
// Files cannot be waited on across processes without fs.watch, which misses renames on some
// file systems: a waiter reads the channel's version this often instead.
const CHANGE_POLL_MS = 10;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const codeOf = (err: unknown) => (err as NodeJS.ErrnoException).code;

/*
 * The per-key lock is a directory holding exactly one entry, named `<pid>.<uuid>` after its
 * owner. POSIX has no "delete this path if it still holds X", so a lock file judged stale
 * and then removed by path can take a live lock with it (two breakers judge the same dead
 * owner; the first removes it, a third process locks, the second removes the new lock).
 * Renaming the lock aside and checking what was moved does not close that: by then the live
 * lock is off its path. A directory gives the primitives that do:
 * - take: a staged directory already holding our entry is renamed onto the lock path. That
 *   succeeds when the path is absent or an empty directory, and fails (ENOTEMPTY/EEXIST)
 *   while someone holds it, so a lock is never visible without its owner;
 * - release and break are one operation: unlink the entry by its owner's unique name, then
 *   rmdir, which succeeds only on an empty directory. A lock taken meanwhile has another
 *   entry name, so an old owner or a late breaker removes nothing of it.
 * Nothing else deletes, so a lock is only ever removed by its owner or by whoever judged
 * exactly that owner stale: a dead pid, or older than staleLockMs (a lease: an owner stalled
 * that long loses the lock by design). The directory is `<key file>.lock.d`, so a plain
 * `.lock` file left by an older version of this store cannot block it.
 */

/** One attempt to take `lock`: the owner name when taken, undefined while someone holds it. */
export async function tryLock(lock: string): Promise<string | undefined> {
  const owner = `${process.pid}.${randomUUID()}`;
  const staged = `${lock}.${randomUUID()}.tmp`;
  await mkdir(staged);
  try {
    await writeFile(join(staged, owner), '');
    await rename(staged, lock);
    return owner;
  } catch (err) {
    if (codeOf(err) === 'ENOTEMPTY' || codeOf(err) === 'EEXIST') return undefined;
    throw err;
  } finally {
    // Gone already when the rename succeeded.
    await rm(staged, { recursive: true, force: true });
  }
}

/** The owner of `lock` when it is stale (its process is gone, or it is older than staleLockMs). */
export async function staleOwnerOf(lock: string, staleLockMs: number): Promise<string | undefined> {
  try {
    const [owner] = await readdir(lock);
    if (owner === undefined) return undefined;
    const pid = Number(owner.slice(0, owner.indexOf('.')));
    if (pid > 0 && !isAlive(pid)) return owner;
    const info = await stat(join(lock, owner));
    return Date.now() - info.mtimeMs > staleLockMs ? owner : undefined;
  } catch (err) {
    // The lock (or its owner) vanished while we looked: its owner finished.
    if (codeOf(err) === 'ENOENT') return undefined;
    throw err;
  }
}

/** Removes `owner`'s hold on `lock` (its own release, or breaking it when stale); never another's. */
export async function removeOwner(lock: string, owner: string): Promise<void> {
  await rm(join(lock, owner), { force: true });
  try {
    await rmdir(lock);
  } catch (err) {
    // Gone already, or taken meanwhile by someone else: theirs to release.
    if (codeOf(err) !== 'ENOENT' && codeOf(err) !== 'ENOTEMPTY' && codeOf(err) !== 'EEXIST') throw err;
  }
}

/**
 * The embedded store for running every function on one machine: one file per key in `dir`,
 * so it survives restarts. Several function processes share it: every write happens under a
 * per-key lock (above), and values are replaced by rename, so readers never see half a file.
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

  async function lockAndRun<T>(key: string, action: (file: string) => Promise<T>): Promise<T> {
    await ready;
    const file = fileOf(key);
    const lock = `${file}.lock.d`;
    let owner = await tryLock(lock);
    for (let attempt = 0; owner === undefined; attempt++) {
      if (attempt % 20 === 19) {
        const stale = await staleOwnerOf(lock, staleLockMs);
        if (stale !== undefined) await removeOwner(lock, stale);
      }
      await sleep(Math.min(1 + attempt, 10));
      owner = await tryLock(lock);
    }
    try {
      return await action(file);
    } finally {
      await removeOwner(lock, owner);
    }
  }

  // Reads wait for the writes this store was asked to make before them, so that calls made
  // together (Promise.all) take effect in call order, as they do on one Redis connection.
  const writing = new Set<Promise<unknown>>();
  function withLock<T>(key: string, action: (file: string) => Promise<T>): Promise<T> {
    const done = lockAndRun(key, action);
    writing.add(done);
    const forget = () => writing.delete(done);
    done.then(forget, forget);
    return done;
  }
  async function readable(): Promise<void> {
    await ready;
    if (writing.size > 0) await Promise.allSettled([...writing]);
  }

  const store: Store = {
    async get(key) {
      await readable();
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
    async getMany(keys) {
      await readable();
      // One after the other, in order: a channel's version read first is never newer than the data.
      const values: (string | null)[] = [];
      for (const key of keys) values.push((await read(fileOf(key)))?.value ?? null);
      return values;
    },
    getManyAndClaim: (keys, claim) => getManyAndClaimInSteps(store, keys, claim),
    async takeWindowSlot(take) {
      // Read before the window's lock: two calls at the limit's edge may both pass, and the
      // counter's answer (over the limit) still refuses the second.
      if (counterFull(await store.get(take.counter.key), take)) return { taken: false, counterFull: true };
      // The window under its key's lock, then the counter under its own: a crash between the two
      // leaves the call in the window uncounted for the day.
      const entered = await withLock(take.key, async (file) => {
        const next = enterWindow((await read(file))?.value, take);
        if ('value' in next) await write(file, next.value, take.ttlMs);
        return next;
      });
      if ('freeInMs' in entered) return { taken: false, freeInMs: entered.freeInMs };
      return { taken: true, count: await store.increment(take.counter.key, take.counter.ttlMs) };
    },
    notifyChange: (channel) => withLock(channel, (file) => write(file, randomUUID(), CHANNEL_TTL_MS)),
    async waitForChange(channel, afterVersion, timeoutMs) {
      await readable();
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const version = (await read(fileOf(channel)))?.value ?? null;
        const left = deadline - Date.now();
        // No message: a waiter reads what changed itself.
        if (version !== afterVersion || left <= 0) return { version };
        await sleep(Math.min(CHANGE_POLL_MS, left));
      }
    },
    async close() {},
  };
  return store;
}
