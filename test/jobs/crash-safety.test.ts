import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchClientMsgId } from '../../shared/jobs/batches';
import { requireJob } from '../../shared/jobs/job-repository';
import { apiEvent } from '../support/api-event';
import { API_KEY, busiestMinute, type JobWorld, PAST_MIDNIGHT, service, startJobWorld } from './support/job-world';
import { bulkOpenId } from '../../sandbox/server';

const BATCH = 10_000;

describe('dispatcher bundle: crashes, two dispatchers, one shared limit', () => {
  let world: JobWorld;

  beforeAll(async () => {
    world = await startJobWorld({ bulkFollowers: 1_000_000, startAt: PAST_MIDNIGHT + 10 * 3_600_000 });
  }, 60_000);
  afterAll(() => world?.close());

  /** Each OpenID of [from, from + count) received exactly one message, and WeChat accepted each batch once. */
  function expectSentOnce(clientMsgId: string, from: number, count: number) {
    const delivered = world.sandbox.bulkDeliveries(service.appid)!;
    const wrong = delivered.subarray(from, from + count).filter((n) => n !== 1).length;
    expect(wrong).toBe(0);
    const batchIds = Array.from({ length: count / BATCH }, (_, n) => batchClientMsgId(clientMsgId, n));
    const accepted = world.sandbox.messages().filter((m) => m.clientMsgId && batchIds.includes(m.clientMsgId));
    expect(accepted.map((m) => m.clientMsgId).sort()).toEqual([...batchIds].sort());
  }

  const steps = [
    ['after claiming a batch', 'batch claimed'],
    ['right before the call', 'batch sending'],
    ['after the call, before recording its answer', 'batch answered'],
  ] as const;

  steps.forEach(([when, message], i) => {
    it(`killed ${when}, then run again: no batch twice, none skipped`, async () => {
      const from = i * 40_000;
      const jobId = await world.newJob(`crash-${i}`, { from, count: 40_000 });

      const killed = await world.dispatch({ killAt: `${message}:2` });
      expect(killed.killed).toBe(true);
      // The dead run's claim lasts 90 s; an unknown batch waits out WeChat's 45066 minute.
      world.sandbox.advanceClock(95_000);
      const again = await world.dispatch();
      expect(again.error).toBeUndefined();

      expectSentOnce(`crash-${i}`, from, 40_000);
      expect((await requireJob(world.repo, jobId)).state).toBe('done');
      world.sandbox.advanceClock(61_000);
    }, 60_000);
  });

  it('two dispatchers at once send each batch once', async () => {
    const from = 120_000;
    const jobId = await world.newJob('two-at-once', { from, count: 60_000 });
    const runs = await Promise.all([world.dispatch(), world.dispatch()]);
    const calls = runs.map((r) => (r.result as { calls: number }).calls);
    expect(calls[0]! + calls[1]!).toBe(6);
    expectSentOnce('two-at-once', from, 60_000);
    expect((await requireJob(world.repo, jobId)).state).toBe('done');
    world.sandbox.advanceClock(61_000);
  }, 60_000);

  it('holds 60 calls a minute with API sends and the dispatcher running at the same time', async () => {
    const before = world.sandbox.calls().length;
    const jobId = await world.newJob('shared-limit', { from: 200_000, count: 500_000 });
    const apiSends = Array.from({ length: 20 }, (_, i) =>
      world.run<{ statusCode: number; headers: Record<string, string> }>(
        'send-by-list',
        apiEvent({
          path: '/send-by-list',
          apiKey: API_KEY,
          body: {
            openIds: [bulkOpenId(900_000 + 2 * i), bulkOpenId(900_001 + 2 * i)],
            message: { type: 'text', content: `API send ${i}` },
          },
        }),
      ),
    );
    const [dispatched, ...answers] = await Promise.all([world.dispatch(), ...apiSends]);

    const statuses = answers.map((a) => a.result?.statusCode);
    const refused = answers.filter((a) => a.result?.statusCode === 429);
    const apiSent = statuses.filter((s) => s === 200).length;
    const dispatcherCalls = (dispatched.result as { calls: number }).calls;
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
    expect(refused.every((a) => Number(a.result?.headers['retry-after']) > 0)).toBe(true);
    expect(apiSent + dispatcherCalls).toBe(60);

    const sends = world.sandbox
      .calls()
      .slice(before)
      .filter((c) => c.path.startsWith('/cgi-bin/message/mass/send'));
    expect(sends.every((c) => c.errcode === 0)).toBe(true);
    expect(busiestMinute(sends.map((c) => c.at))).toBe(60);
    expect((await requireJob(world.repo, jobId)).state).toBe('running');
  }, 60_000);
});
