import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireJob } from '../../shared/jobs/job-repository';
import { busiestMinute, type JobWorld, PAST_MIDNIGHT, SEND, service, startJobWorld } from './support/job-world';

describe('dispatcher bundle: 1,500,000 OpenIDs on a service account', () => {
  let world: JobWorld;
  let jobId: string;

  beforeAll(async () => {
    // 23:50 in Beijing: ten minutes before WeChat's day ends.
    world = await startJobWorld({ bulkFollowers: 1_500_000, startAt: PAST_MIDNIGHT - 10 * 60_000 });
    jobId = await world.newJob('one-and-a-half-million', { from: 0, count: 1_500_000 });
  }, 180_000);
  afterAll(() => world?.close());

  it('sends 100 batches on the first Beijing day, pauses until midnight saying why, ' +
    'sends the last 50 after', async () => {
    expect((await world.dispatch()).result).toMatchObject({ calls: 60, stopped: 'minute_limit' });
    world.sandbox.advanceClock(61_000);
    expect((await world.dispatch()).result).toMatchObject({ calls: 40, stopped: 'day_limit' });
    expect(await requireJob(world.repo, jobId)).toMatchObject({
      state: 'paused',
      pauseReason: 'daily_limit',
      pausedUntil: PAST_MIDNIGHT,
    });

    world.sandbox.advanceClock(61_000);
    expect((await world.dispatch()).result).toMatchObject({ calls: 0 });
    world.sandbox.advanceClock(PAST_MIDNIGHT - world.sandbox.now() + 1_000);
    expect((await world.dispatch()).result).toMatchObject({ calls: 50, stopped: 'idle' });

    const sends = world.sandbox.calls().filter((c) => c.path === SEND);
    expect(sends.every((c) => c.errcode === 0)).toBe(true);
    expect(sends.filter((c) => c.at < PAST_MIDNIGHT)).toHaveLength(100);
    expect(sends.filter((c) => c.at >= PAST_MIDNIGHT)).toHaveLength(50);
    expect(busiestMinute(sends.map((c) => c.at))).toBeLessThanOrEqual(60);
    expect(world.sandbox.bulkSummary(service.appid)).toEqual({ count: 1_500_000, never: 0, once: 1_500_000, more: 0 });
    expect(await requireJob(world.repo, jobId)).toMatchObject({ state: 'done', batches: 150 });
  }, 120_000);
});
