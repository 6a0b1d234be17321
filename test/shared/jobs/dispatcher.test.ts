import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bulkOpenId, DEMO_ACCOUNTS, type Sandbox, startSandbox } from '../../../sandbox/server';
import { batchClientMsgId } from '../../../shared/jobs/batches';
import { nextBeijingMidnight } from '../../../shared/jobs/beijing-day';
import { runDispatcher } from '../../../shared/jobs/dispatcher';
import {
  appendChunk,
  cancelJob,
  createJob,
  type JobRepoDeps,
  readBatch,
  requireJob,
  startJob,
} from '../../../shared/jobs/job-repository';
import { silentLogger } from '../../../shared/log';
import { buildDispatcherDeps } from '../../../shared/runtime/timer';
import { AccessTokenError } from '../../../shared/wechat/errors';
import { createMemoryStore } from '../../../shared/store/memory-store';
import type { Store } from '../../../shared/store/store';
import { jobKeys } from '../../../shared/jobs/job-model';
import { resendingSetIfAbsent } from '../../support/resending-store';
import type { Message } from '../../../shared/api/message';

// 10:00 in Beijing on 15 January 2025.
const START = Date.UTC(2025, 0, 15, 2, 0, 0);
const service = DEMO_ACCOUNTS.service;
const MESSAGE = { type: 'text', content: 'Hello' } as Message;
const SEND = '/cgi-bin/message/mass/send';

let now: number;
let sandbox: Sandbox;
let repo: JobRepoDeps;
let deps: ReturnType<typeof buildDispatcherDeps>;
let dispatcherWith: (store: Store) => ReturnType<typeof buildDispatcherDeps>;

const ids = (from: number, count: number) => Array.from({ length: count }, (_, i) => bulkOpenId(from + i));
const run = (jobId?: string) => runDispatcher(deps, { remainingMs: () => 60_000, ...(jobId ? { jobId } : {}) });
const sends = () => sandbox.calls().filter((c) => c.path === SEND);

async function newJob(openIds: string[], extra: { clientMsgId?: string; sendAt?: number } = {}) {
  const { job } = await createJob(repo, { clientMsgId: extra.clientMsgId ?? 'job-1', message: MESSAGE, ...extra });
  await appendChunk(repo, job.id, 0, openIds);
  return job;
}

beforeEach(async () => {
  now = START;
  sandbox = await startSandbox({ now: () => now, bulkFollowers: 40_000, jobDurationMs: 1000, log: () => {} });
  const store = createMemoryStore(() => now);
  repo = { store, appId: service.appid, now: () => now };
  dispatcherWith = (store) =>
    buildDispatcherDeps(
      {
        WECHAT_APP_ID: service.appid,
        WECHAT_APP_SECRET: service.secret,
        WECHAT_API_BASE_URL: sandbox.url,
        WECHAT_TIMEOUT_MS: '2000',
        STORE_URL: 'memory:',
      },
      { store, now: () => now, log: silentLogger },
    );
  deps = dispatcherWith(store);
});

afterEach(async () => {
  await sandbox.close();
});

describe('runDispatcher', () => {
  it('sends a 25,001-OpenID job in three balanced batches, each OpenID exactly once, then marks it done', async () => {
    const job = await newJob([...ids(0, 25_001), ...ids(0, 500)]);
    await startJob(repo, job.id);

    const summary = await run(job.id);

    expect(summary).toMatchObject({ calls: 3, sent: 3, failed: 0, unknown: 0, stopped: 'idle' });
    expect(sandbox.bulkSummary(service.appid)).toEqual({
      count: 40_000,
      never: 40_000 - 25_001,
      once: 25_001,
      more: 0,
    });
    const messages = sandbox.messages().filter((m) => m.endpoint === 'send');
    expect(messages.map((m) => (m.audience.type === 'openids' ? m.audience.total : 0))).toEqual([8_334, 8_334, 8_333]);
    expect(messages.map((m) => m.clientMsgId)).toEqual([0, 1, 2].map((n) => batchClientMsgId('job-1', n)));
    expect(await requireJob(repo, job.id)).toMatchObject({ state: 'done', openIds: 25_001, batches: 3 });
    expect((await readBatch(repo, job.id, 0))?.msgId).toBe(String(messages[0]?.msgId));
  });

  it('spends no permit on a run without an access token, and sends once the token is back', async () => {
    const job = await newJob(ids(0, 20));
    await startJob(repo, job.id);
    const working = deps.tokens;
    deps = { ...deps, tokens: { ...working, get: () => Promise.reject(new AccessTokenError('errcode 40164')) } };
    for (let minute = 0; minute < 3; minute++, now += 60_000) {
      expect(await run()).toMatchObject({ calls: 0, stopped: 'unavailable' });
    }
    expect(await deps.limit.usedToday()).toBe(0);
    expect((await readBatch(repo, job.id, 0))?.state).toBe('pending');
    deps = { ...deps, tokens: working };
    expect(await run()).toMatchObject({ calls: 1, sent: 1 });
    expect(await deps.limit.usedToday()).toBe(1);
  });

  it('sends a scheduled job when it is due and not before', async () => {
    const job = await newJob(ids(0, 20), { sendAt: START + 10 * 60_000 });
    expect((await startJob(repo, job.id)).state).toBe('scheduled');

    now += 9 * 60_000;
    await run();
    expect(sends()).toHaveLength(0);
    now += 60_000;
    await run();
    expect(sends()).toHaveLength(1);
    expect((await requireJob(repo, job.id)).state).toBe('done');
  });

  it('sends nothing of a job cancelled before it started', async () => {
    const job = await newJob(ids(0, 20), { sendAt: START + 60_000 });
    await startJob(repo, job.id);
    await cancelJob(repo, job.id);
    now += 120_000;
    await run();
    expect(sends()).toHaveLength(0);
    expect((await requireJob(repo, job.id)).state).toBe('cancelled');
  });

  it('stops a job cancelled while running before its next batch', async () => {
    const job = await newJob(ids(0, 30_000));
    await startJob(repo, job.id);
    for (let i = 0; i < 59; i++) await deps.limit.take();

    expect((await run()).stopped).toBe('minute_limit');
    expect(sends()).toHaveLength(1);
    await cancelJob(repo, job.id);
    now += 61_000;
    await run();

    expect(sends()).toHaveLength(1);
    expect((await readBatch(repo, job.id, 1))?.state).toBe('pending');
    expect((await requireJob(repo, job.id)).state).toBe('cancelled');
  });

  it(
    'retries a batch whose answer was lost with its own clientmsgid: WeChat answers 45065, ' + 'nothing goes twice',
    async () => {
      const job = await newJob(ids(0, 20_000));
      await startJob(repo, job.id);
      sandbox.injectFault({ path: SEND, kind: 'timeout', delayMs: 4_000 });

      expect(await run()).toMatchObject({ calls: 2, sent: 1, unknown: 1 });
      expect((await readBatch(repo, job.id, 0))?.state).toBe('unknown');
      // Not retried before WeChat's minute of 45066 is over.
      now += 30_000;
      expect((await run()).calls).toBe(0);
      now += 31_000;
      expect(await run()).toMatchObject({ calls: 1, sent: 1 });

      expect(await readBatch(repo, job.id, 0)).toMatchObject({ state: 'sent', duplicate: true, attempts: 2 });
      expect(sandbox.bulkSummary(service.appid)).toMatchObject({ once: 20_000, more: 0 });
      expect((await requireJob(repo, job.id)).state).toBe('done');
    },
  );

  it('marks a batch WeChat refuses for good as failed with its errcode and goes on', async () => {
    const job = await newJob(ids(0, 30_000));
    await startJob(repo, job.id);
    sandbox.injectFault({ path: SEND, kind: 'errcode', errcode: 40007 });

    expect(await run()).toMatchObject({ calls: 3, sent: 2, failed: 1 });
    expect(await readBatch(repo, job.id, 0)).toMatchObject({ state: 'failed', errcode: 40007 });
    expect((await requireJob(repo, job.id)).state).toBe('done');
  });

  it('pauses until Beijing midnight when WeChat answers 45009, and goes on after it', async () => {
    const job = await newJob(ids(0, 30_000));
    await startJob(repo, job.id);
    sandbox.injectFault({ path: SEND, kind: 'errcode', errcode: 45009, times: 1 });

    expect((await run()).stopped).toBe('day_limit');
    expect(await requireJob(repo, job.id)).toMatchObject({
      state: 'paused',
      pauseReason: 'wechat_45009',
      pausedUntil: nextBeijingMidnight(START),
    });
    expect((await readBatch(repo, job.id, 0))?.state).toBe('pending');
    now = nextBeijingMidnight(START) - 1_000;
    expect((await run()).calls).toBe(0);
    now += 1_000;
    expect(await run()).toMatchObject({ calls: 3, sent: 3 });
    expect((await requireJob(repo, job.id)).state).toBe('done');
  });

  it('runs two dispatchers at once without sending a batch twice', async () => {
    const job = await newJob(ids(0, 40_000));
    await startJob(repo, job.id);

    const [a, b] = await Promise.all([run(), run()]);

    expect(a.calls + b.calls).toBe(4);
    expect(sandbox.bulkSummary(service.appid)).toMatchObject({ once: 40_000, more: 0 });
    expect((await requireJob(repo, job.id)).state).toBe('done');
  });

  it('stops before its time runs out and leaves the rest for the next run', async () => {
    const job = await newJob(ids(0, 30_000));
    await startJob(repo, job.id);
    let left = 16_000 + 1_000;
    const summary = await runDispatcher(deps, { remainingMs: () => (left -= 1_000) });
    expect(summary.stopped).toBe('time');
    expect(summary.calls).toBeLessThan(3);
    expect((await run()).stopped).toBe('idle');
    expect(sandbox.bulkSummary(service.appid)).toMatchObject({ once: 30_000, more: 0 });
  });
});

describe('runDispatcher, batch claims', () => {
  const claimKey = (jobId: string, n: number) => jobKeys.batchClaim(service.appid, jobId, n);

  it('sends a batch whose claim SET NX was re-sent after a lost reply: the claim reads back as its own', async () => {
    const job = await newJob(ids(0, 20));
    await startJob(repo, job.id);
    const resending = resendingSetIfAbsent(repo.store, (key) => key === claimKey(job.id, 0));

    const summary = await runDispatcher(dispatcherWith(resending), { remainingMs: () => 60_000, jobId: job.id });

    expect(summary).toMatchObject({ calls: 1, sent: 1, stopped: 'idle' });
    expect(sends()).toHaveLength(1);
    expect((await requireJob(repo, job.id)).state).toBe('done');
    expect(await repo.store.get(claimKey(job.id, 0))).toBeNull();
  });

  it('leaves a batch alone while another dispatcher holds its claim, and leaves that claim in place', async () => {
    const job = await newJob(ids(0, 20));
    await startJob(repo, job.id);
    await repo.store.setIfAbsent(claimKey(job.id, 0), 'another-dispatcher', 90_000);

    expect((await run(job.id)).calls).toBe(0);
    expect(sends()).toHaveLength(0);
    expect((await readBatch(repo, job.id, 0))?.state).toBe('pending');
    expect(await repo.store.get(claimKey(job.id, 0))).toBe('another-dispatcher');
  });

  it('gives back only its own claim: one that another dispatcher took over meanwhile stays', async () => {
    const job = await newJob(ids(0, 20));
    await startJob(repo, job.id);
    // While the batch is being sent, its lease runs out and another dispatcher takes the claim.
    const overtaken: Store = {
      ...repo.store,
      async get(key) {
        if (key === jobKeys.batchOpenIds(service.appid, job.id, 0)) {
          await repo.store.set(claimKey(job.id, 0), 'next-dispatcher', 90_000);
        }
        return repo.store.get(key);
      },
    };

    expect((await runDispatcher(dispatcherWith(overtaken), { remainingMs: () => 60_000 })).calls).toBe(1);
    expect(await repo.store.get(claimKey(job.id, 0))).toBe('next-dispatcher');
  });
});

describe('runDispatcher, when WeChat sends no MASSSENDJOBFINISH', () => {
  it('asks mass/get about each sent batch after 10 minutes, at most every 10 minutes, shows the status', async () => {
    const job = await newJob(ids(0, 20_000));
    await startJob(repo, job.id);
    await run();
    const gets = () => sandbox.calls().filter((c) => c.path === '/cgi-bin/message/mass/get');
    sandbox.finishJobs();

    now += 9 * 60_000;
    expect((await run()).statusChecks).toBe(0);
    now += 60_000;
    expect((await run()).statusChecks).toBe(2);
    expect(await readBatch(repo, job.id, 0)).toMatchObject({ state: 'sent', msgStatus: 'SEND_SUCCESS' });
    // Final statuses are not asked again, and the job leaves the list of jobs to check.
    now += 20 * 60_000;
    expect((await run()).statusChecks).toBe(0);
    expect(gets()).toHaveLength(2);
    expect(await repo.store.get(`jobs:${service.appid}:reporting`)).toBe('[]');
    const { jobStatus } = await import('../../../shared/api/jobs');
    const status = await jobStatus({ ...repo, log: silentLogger, handOff: { handOff: async () => false } }, job.id);
    expect(status.batchList.map((b) => b.msgStatus)).toEqual(['SEND_SUCCESS', 'SEND_SUCCESS']);
  });
});
