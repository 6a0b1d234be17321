import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileStore, removeOwner, staleOwnerOf, tryLock } from '../../../shared/store/file-store';
import { storeContract } from './store-contract';

const worker = resolve(import.meta.dirname, '../../support/file-store-worker.ts');

// A crashed process's lock: pid 2^22+1 is beyond Linux's pid range, so its owner is surely gone.
const DEAD_OWNER = '4194305.0b7e3c1a-dead-4c0d-9a55-5d1e0c6f1b2a';
const lockOf = (dir: string, key: string) =>
  `${join(dir, createHash('sha256').update(key).digest('hex').slice(0, 40))}.lock.d`;

async function leaveDeadLock(lock: string): Promise<void> {
  await mkdir(lock);
  await writeFile(join(lock, DEAD_OWNER), '');
}

function runWorker(dir: string, op: string, key: string, count: number): Promise<string[]> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', worker, dir, op, key, String(count)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolvePromise(out.trim().split('\n')) : reject(new Error(`worker exited ${code}`)),
    );
  });
}

describe('createFileStore', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'file-store-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  storeContract(async () => createFileStore(dir), { carriesMessages: false });

  it('keeps values across a restart (a new store on the same folder)', async () => {
    await createFileStore(dir).set('survivor', 'still here');
    expect(await createFileStore(dir).get('survivor')).toBe('still here');
  });

  it('gives a lock to exactly one of several processes racing for it', async () => {
    const results = await Promise.all([1, 2, 3, 4].map(() => runWorker(dir, 'lock', 'race:lock', 1)));
    expect(results.flat().filter((line) => line === 'true')).toHaveLength(1);
  });

  it('counts increments from several processes exactly', async () => {
    await Promise.all([1, 2, 3, 4].map(() => runWorker(dir, 'incr', 'race:counter', 25)));
    expect(await createFileStore(dir).get('race:counter')).toBe('100');
  });

  it('breaks a lock left behind by a process that died', async () => {
    const store = createFileStore(dir, { staleLockMs: 200 });
    await leaveDeadLock(lockOf(dir, 'orphan'));
    await store.set('orphan', 'written anyway');
    expect(await store.get('orphan')).toBe('written anyway');
  });

  it('counts exactly when several processes break the same dead lock at once', async () => {
    await leaveDeadLock(lockOf(dir, 'race:orphaned-counter'));
    await Promise.all([1, 2, 3, 4].map(() => runWorker(dir, 'incr', 'race:orphaned-counter', 25)));
    expect(await createFileStore(dir).get('race:orphaned-counter')).toBe('100');
  });

  it('never lets a late breaker remove the lock a third process took after the first breaker', async () => {
    const lock = lockOf(dir, 'race:two-breakers');
    await leaveDeadLock(lock);
    // Both breakers judge the dead owner's lock stale before either acts.
    const [first, second] = await Promise.all([staleOwnerOf(lock, 10_000), staleOwnerOf(lock, 10_000)]);
    expect([first, second]).toEqual([DEAD_OWNER, DEAD_OWNER]);

    await removeOwner(lock, first!);
    const third = await tryLock(lock);
    await removeOwner(lock, second!);

    expect(third).toBeDefined();
    expect(await readdir(lock)).toEqual([third]);
    expect(await tryLock(lock)).toBeUndefined();
  });

  it("leaves the new owner's lock alone when an owner whose lock went stale releases late", async () => {
    const lock = lockOf(dir, 'race:late-release');
    const stalled = await tryLock(lock);
    await new Promise((resolve) => setTimeout(resolve, 30));
    const stale = await staleOwnerOf(lock, 10);
    expect(stale).toBe(stalled);
    await removeOwner(lock, stale!);
    const next = await tryLock(lock);

    await removeOwner(lock, stalled!);

    expect(await readdir(lock)).toEqual([next]);
    expect(await tryLock(lock)).toBeUndefined();
  });

  it('does not judge a live, fresh lock stale', async () => {
    const lock = lockOf(dir, 'race:fresh');
    const owner = await tryLock(lock);
    expect(await staleOwnerOf(lock, 10_000)).toBeUndefined();
    await removeOwner(lock, owner!);
    expect(await tryLock(lock)).toBeDefined();
  });
});
