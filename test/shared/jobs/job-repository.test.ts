import { beforeEach, describe, expect, it } from 'vitest';
import type { Message } from '../../../shared/api/message';
import { HttpError } from '../../../shared/http/http-error';
import { jobKeys } from '../../../shared/jobs/job-model';
import {
  activeJobIds,
  appendChunk,
  cancelJob,
  createJob,
  type JobRepoDeps,
  MAX_CHUNK_OPENIDS,
  readBatch,
  requireJob,
  startJob,
} from '../../../shared/jobs/job-repository';
import { createMemoryStore } from '../../../shared/store/memory-store';
import { type Store, StoreUnavailableError } from '../../../shared/store/store';

const START = Date.UTC(2025, 0, 15, 2, 0, 0);
const MESSAGE = { type: 'text', content: 'Hello' } as Message;
const ids = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => `oUSER${String(from + i).padStart(23, '0')}`);

let repo: JobRepoDeps;

async function rejection(promise: Promise<unknown>): Promise<HttpError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HttpError);
  return err as HttpError;
}

/** The repository on `store` with some of its operations replaced (a failure, a held read). */
const repoOver = (store: Store, overrides: Partial<Store>): JobRepoDeps => ({
  appId: 'wx-app',
  now: () => START,
  store: { ...store, ...overrides },
});

beforeEach(() => {
  repo = { store: createMemoryStore(() => START), appId: 'wx-app', now: () => START };
});

describe('jobs in the store', () => {
  it('finds the same job again when a create is retried with the same clientMsgId', async () => {
    const first = await createJob(repo, { clientMsgId: 'c-1', message: MESSAGE });
    const again = await createJob(repo, { clientMsgId: 'c-1', message: MESSAGE });
    expect(first.created).toBe(true);
    expect(again).toEqual({ job: first.job, created: false });
  });

  it('refuses a create that reuses a clientMsgId for another message (422)', async () => {
    await createJob(repo, { clientMsgId: 'c-1', message: MESSAGE });
    const err = await rejection(
      createJob(repo, { clientMsgId: 'c-1', message: { ...MESSAGE, content: 'Bye' } as Message }),
    );
    expect(err.status).toBe(422);
    expect(err.code).toBe('client_msg_id_reused');
  });

  it('refuses a sendAt in the past or more than 30 days ahead, naming the field', async () => {
    const past = await rejection(createJob(repo, { clientMsgId: 'c-1', message: MESSAGE, sendAt: START - 1 }));
    const far = await rejection(
      createJob(repo, { clientMsgId: 'c-2', message: MESSAGE, sendAt: START + 31 * 86_400_000 }),
    );
    expect([past.status, far.status]).toEqual([400, 400]);
    expect(past.fields).toEqual([{ path: 'sendAt', reason: 'is in the past' }]);
    expect(far.fields?.[0]?.path).toBe('sendAt');
  });

  it('gives a retried create its job back once the sendAt has passed, and still refuses a new one', async () => {
    let now = START;
    repo = { store: createMemoryStore(() => now), appId: 'wx-app', now: () => now };
    const input = { clientMsgId: 'c-1', message: MESSAGE, sendAt: START + 20_000 };
    const first = await createJob(repo, input);
    now = START + 30_000;
    expect(await createJob(repo, input)).toEqual({ job: first.job, created: false });
    const other = await rejection(createJob(repo, { ...input, message: { ...MESSAGE, content: 'Bye' } as Message }));
    const fresh = await rejection(createJob(repo, { ...input, clientMsgId: 'c-2' }));
    expect([other.status, other.fields]).toEqual([400, [{ path: 'sendAt', reason: 'is in the past' }]]);
    expect([fresh.status, fresh.fields]).toEqual([400, [{ path: 'sendAt', reason: 'is in the past' }]]);
  });

  it('lists a started job for the dispatcher even when the first start failed at the list', async () => {
    let failList = true;
    const store = createMemoryStore(() => START);
    repo = repoOver(store, {
      setIfAbsent: (key, value, ttlMs) => {
        if (failList && key.startsWith(`${jobKeys.active('wx-app')}:`)) {
          failList = false;
          return Promise.reject(new StoreUnavailableError('setIfAbsent'));
        }
        return store.setIfAbsent(key, value, ttlMs);
      },
    });
    const { job } = await createJob(repo, { clientMsgId: 'c-1', message: MESSAGE });
    await appendChunk(repo, job.id, 0, ids(0, 20));
    await expect(startJob(repo, job.id)).rejects.toBeInstanceOf(StoreUnavailableError);
    expect((await requireJob(repo, job.id)).state).toBe('building');
    const retried = await startJob(repo, job.id);
    expect(retried).toMatchObject({ state: 'running', openIds: 20, batches: 1 });
    expect(await activeJobIds(repo)).toEqual([job.id]);
  });

  it('refuses an append once start was called, so no OpenID is counted and left unsent', async () => {
    // The start is held while it reads chunk 0, as a start reading 1,000,000 OpenIDs is.
    let release = () => {};
    const reading = new Promise<void>((resolve) => (release = resolve));
    const store = createMemoryStore(() => START);
    repo = repoOver(store, {
      get: async (key) => {
        if (key.endsWith(':chunk:0')) await reading;
        return store.get(key);
      },
    });
    const { job } = await createJob(repo, { clientMsgId: 'c-1', message: MESSAGE });
    await appendChunk({ ...repo, store }, job.id, 0, ids(0, 30));
    const starting = startJob(repo, job.id);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const late = await rejection(appendChunk(repo, job.id, 1, ids(30, 30)));
    release();
    expect([late.status, late.code]).toEqual([409, 'job_starting']);
    expect(await starting).toMatchObject({ state: 'running', received: 30, openIds: 30 });
  });

  it('takes appends again after a start refused for what the job held, and then starts', async () => {
    const { job } = await createJob(repo, { clientMsgId: 'c-1', message: MESSAGE });
    await appendChunk(repo, job.id, 0, ids(0, 10));
    await appendChunk(repo, job.id, 2, ids(20, 10));
    expect((await rejection(startJob(repo, job.id))).code).toBe('chunks_missing');
    await appendChunk(repo, job.id, 1, ids(10, 10));
    expect(await startJob(repo, job.id)).toMatchObject({ state: 'running', openIds: 30 });

    const { job: small } = await createJob(repo, { clientMsgId: 'c-2', message: MESSAGE });
    await appendChunk(repo, small.id, 0, ids(0, 1));
    expect((await rejection(startJob(repo, small.id))).status).toBe(400);
    await appendChunk(repo, small.id, 1, ids(1, 1));
    expect(await startJob(repo, small.id)).toMatchObject({ state: 'running', openIds: 2 });
  });

  it('takes a retried append once, and refuses another list under a number already taken (409)', async () => {
    const { job } = await createJob(repo, { clientMsgId: 'c-1', message: MESSAGE });
    await appendChunk(repo, job.id, 0, ids(0, 10));
    const retried = await appendChunk(repo, job.id, 0, ids(0, 10));
    expect(retried).toMatchObject({ chunks: [0], received: 10 });
    const err = await rejection(appendChunk(repo, job.id, 0, ids(100, 10)));
    expect([err.status, err.code]).toEqual([409, 'chunk_conflict']);
  });

  it('refuses a chunk over the limit (413) and a start with a chunk missing (409)', async () => {
    const { job } = await createJob(repo, { clientMsgId: 'c-1', message: MESSAGE });
    expect((await rejection(appendChunk(repo, job.id, 0, ids(0, MAX_CHUNK_OPENIDS + 1)))).status).toBe(413);
    await appendChunk(repo, job.id, 0, ids(0, 10));
    await appendChunk(repo, job.id, 2, ids(10, 10));
    const err = await rejection(startJob(repo, job.id));
    expect([err.status, err.code]).toEqual([409, 'chunks_missing']);
  });

  it('deduplicates across chunks, writes every batch before the job can run, and starts once', async () => {
    const { job } = await createJob(repo, { clientMsgId: 'c-1', message: MESSAGE });
    await appendChunk(repo, job.id, 0, ids(0, 15_000));
    await appendChunk(repo, job.id, 1, ids(10_000, 15_001));

    const started = await startJob(repo, job.id);
    expect(started).toMatchObject({ state: 'running', openIds: 25_001, batches: 3, received: 30_001 });
    expect(await startJob(repo, job.id)).toEqual(started);
    expect(await activeJobIds(repo)).toEqual([job.id]);
    const sizes = [];
    const all = new Set<string>();
    for (let n = 0; n < 3; n++) {
      sizes.push((await readBatch(repo, job.id, n))?.size);
      for (const id of (await repo.store.get(jobKeys.batchOpenIds(repo.appId, job.id, n)))!.split('\n')) all.add(id);
    }
    expect(sizes).toEqual([8_334, 8_334, 8_333]);
    expect(all.size).toBe(25_001);
    // The appended chunks are gone once the batches hold the OpenIDs.
    expect(await repo.store.get(jobKeys.chunk(repo.appId, job.id, 0))).toBeNull();
  });

  it('refuses to start a job of fewer than 2 distinct OpenIDs', async () => {
    const { job } = await createJob(repo, { clientMsgId: 'c-1', message: MESSAGE });
    await appendChunk(repo, job.id, 0, [...ids(0, 1), ...ids(0, 1)]);
    expect((await rejection(startJob(repo, job.id))).status).toBe(400);
    expect((await requireJob(repo, job.id)).state).toBe('building');
  });

  it('cancels a job until it is done, and refuses appends after cancel', async () => {
    const { job } = await createJob(repo, { clientMsgId: 'c-1', message: MESSAGE });
    expect((await cancelJob(repo, job.id)).state).toBe('cancelled');
    expect((await rejection(appendChunk(repo, job.id, 0, ids(0, 2)))).status).toBe(409);
    expect((await rejection(requireJob(repo, 'job_nope'))).status).toBe(404);
  });
});
