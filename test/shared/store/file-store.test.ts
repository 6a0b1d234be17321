import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileStore } from '../../../shared/store/file-store';
import { storeContract } from './store-contract';

const worker = resolve(import.meta.dirname, '../../support/file-store-worker.ts');

function runWorker(dir: string, op: string, key: string, count: number): Promise<string[]> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', worker, dir, op, key, String(count)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolvePromise(out.trim().split('\n')) : reject(new Error(`worker exited ${code}`))));
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

  storeContract(async () => createFileStore(dir));

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
    // A crashed process leaves its lock file; pid 2^22+ is beyond Linux's pid range.
    const { writeFile } = await import('node:fs/promises');
    const { createHash } = await import('node:crypto');
    const file = join(dir, createHash('sha256').update('orphan').digest('hex').slice(0, 40));
    await writeFile(`${file}.lock`, '4194305');
    await store.set('orphan', 'written anyway');
    expect(await store.get('orphan')).toBe('written anyway');
  });
});
