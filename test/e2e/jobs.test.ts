import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bulkOpenId, DEMO_ACCOUNTS } from '../../sandbox/server';
import { leakedSecrets, type LocalProduct, startLocalProduct } from './support/local-product';

const service = DEMO_ACCOUNTS.service;
const ids = (from: number, count: number) => Array.from({ length: count }, (_, i) => bulkOpenId(from + i));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
type Json = Record<string, any>;

/**
 * Jobs through the whole local product: the jobs routes behind the local gateway, the hand-off
 * to the dispatcher through the gateway's local SCF Invoke API, the dispatcher bundle, the file
 * store and the sandbox.
 */
describe('jobs over HTTP', () => {
  let product: LocalProduct;
  beforeAll(async () => {
    product = await startLocalProduct({ account: 'service', sandbox: { bulkFollowers: 100_000 }, jobProgressMs: 100 });
  }, 60_000);
  afterAll(async () => {
    await product?.close();
  });

  async function until(jobId: string, state: string): Promise<Json> {
    for (let i = 0; i < 100; i++) {
      const answer = await product.call<Json>('GET', `/jobs?jobId=${jobId}`);
      if (answer.body.state === state) return answer.body;
      await sleep(100);
    }
    throw new Error(`job ${jobId} never became ${state}`);
  }

  it('builds a job in numbered chunks, starts it, and the dispatcher it goes to sends every OpenID once', async () => {
    const created = await product.call<Json>('POST', '/jobs', {
      body: { message: { type: 'text', content: 'Big news' }, clientMsgId: 'e2e-job-1' },
    });
    expect(created.status).toBe(201);
    const { jobId } = created.body;
    for (const [chunk, from] of [
      [0, 0],
      [1, 10_000],
      [2, 20_000],
    ] as const) {
      const appended = await product.call<Json>('POST', '/jobs/openids', {
        body: { jobId, chunk, openIds: ids(from, chunk === 2 ? 5_001 : 10_000) },
      });
      expect(appended.status).toBe(200);
    }
    // A retried append changes nothing; another list under a number already taken is refused.
    const retried = await product.call<Json>('POST', '/jobs/openids', {
      body: { jobId, chunk: 0, openIds: ids(0, 10_000) },
    });
    expect(retried.body).toEqual({ jobId, chunks: [0, 1, 2], received: 25_001 });
    const conflict = await product.call<Json>('POST', '/jobs/openids', {
      body: { jobId, chunk: 1, openIds: ids(0, 5) },
    });
    expect([conflict.status, conflict.body.error.code]).toEqual([409, 'chunk_conflict']);

    const started = await product.call<Json>('POST', '/jobs/start', { body: { jobId } });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ jobId, state: 'running', batches: 3, openIds: 25_001 });

    const done = await until(jobId, 'done');
    expect(done.batches).toMatchObject({ total: 3, sent: 3, pending: 0, failed: 0 });
    expect(done.batchList.map((b: Json) => b.size)).toEqual([8_334, 8_334, 8_333]);
    expect(done.batchList.every((b: Json) => /^\d+$/.test(b.msgId))).toBe(true);
    expect(product.local.sandbox.bulkSummary(service.appid)).toMatchObject({ once: 25_001, more: 0 });
    expect(product.lines.some((line) => /invoke dispatcher \(Event\)/.test(line))).toBe(true);

    // Once WeChat has pushed MASSSENDJOBFINISH for each batch, the status sums their counts.
    product.local.sandbox.finishJobs();
    await product.local.sandbox.waitForPushes();
    const reported = await product.call<Json>('GET', `/jobs?jobId=${jobId}`);
    expect(reported.body.batchList.map((b: Json) => b.report?.status)).toEqual(Array(3).fill({ kind: 'success' }));
    expect(reported.body.totals).toEqual({ total: 25_001, filter: 25_001, sent: 25_001, error: 0 });
  }, 60_000);

  it('answers a send-by-list over 10,000 OpenIDs with 202 and its job', async () => {
    const answer = await product.call<Json>('POST', '/send-by-list', {
      body: {
        openIds: ids(30_000, 12_000),
        message: { type: 'text', content: 'Long list' },
        clientMsgId: 'e2e-list-1',
      },
    });
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ clientMsgId: 'e2e-list-1', batches: 2, openIds: 12_000 });
    await until(answer.body.jobId, 'done');
  }, 30_000);

  it('sends a scheduled send-by-tag when due and not before, and cancels a job that has not started', async () => {
    const sendAt = new Date(Date.now() + 2_000).toISOString();
    const scheduled = await product.call<Json>('POST', '/send-by-tag', {
      body: { audience: { tagId: 100 }, message: { type: 'text', content: 'Later' }, sendAt, clientMsgId: 'e2e-at-1' },
    });
    expect(scheduled.status).toBe(202);
    expect(scheduled.body).toMatchObject({ state: 'scheduled', sendAt, batches: 1 });
    const later = await product.call<Json>('POST', '/send-by-list', {
      body: {
        openIds: ids(50_000, 3),
        message: { type: 'text', content: 'Never' },
        sendAt: new Date(Date.now() + 3_600_000).toISOString(),
      },
    });
    const cancelled = await product.call<Json>('POST', '/jobs/cancel', { body: { jobId: later.body.jobId } });
    expect(cancelled.body.state).toBe('cancelled');

    // npm start prints the progress of each job it watches.
    await sleep(300);
    const jobId = scheduled.body.jobId as string;
    expect(product.lines).toContain(`[jobs] job ${jobId} scheduled: 0/1 batches sent, 0 failed, 1 pending (0 OpenIDs)`);
    const dispatcher = { function: 'dispatcher', name: 'dispatcher', cron: '0 * * * * * *', enable: true };
    await product.local.gateway.fire(dispatcher);
    const sendalls = () => product.local.sandbox.calls().filter((c) => c.path === '/cgi-bin/message/mass/sendall');
    expect(sendalls()).toHaveLength(0);
    await sleep(Date.parse(sendAt) - Date.now() + 100);
    await product.local.gateway.fire(dispatcher);
    expect(sendalls().filter((c) => c.errcode === 0)).toHaveLength(1);
    expect((await until(scheduled.body.jobId, 'done')).batchList[0].msgId).toMatch(/^\d+$/);
    expect(
      product.local.sandbox
        .bulkDeliveries(service.appid)!
        .subarray(50_000, 50_003)
        .every((n) => n === 0),
    ).toBe(true);
  }, 30_000);

  it('refuses a bad sendAt and an unknown job with a 4xx naming the field', async () => {
    const bad = await product.call<Json>('POST', '/jobs', {
      body: { message: { type: 'text', content: 'x' }, sendAt: 'tomorrow' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields[0].path).toBe('sendAt');
    const unknown = await product.call<Json>('GET', '/jobs?jobId=job_AAAAAAAAAAAAAAAAAAAAAAAA');
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'job_not_found']);
  });

  it('never writes a secret or an access token to the log', async () => {
    expect(leakedSecrets(product.lines, await product.secrets())).toEqual([]);
    expect(product.lines.join('\n')).not.toContain('local-secret-key');
  });
});
