import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireJob } from '../../shared/jobs/job-repository';
import { busiestMinute, type JobWorld, PAST_MIDNIGHT, SEND, service, startJobWorld } from './support/job-world';

/**
 * The dispatcher bundle against the sandbox, with the sandbox's clock: a minute passes when
 * the test says so, so WeChat's 60 calls a minute and 100 a day take seconds to cross.
 */
describe('dispatcher bundle: 1,000,000 OpenIDs', () => {
  let world: JobWorld;
  let jobId: string;
  const peaks: number[] = [];

  beforeAll(async () => {
    world = await startJobWorld({ bulkFollowers: 1_000_000, startAt: PAST_MIDNIGHT + 10 * 3_600_000 });
    jobId = await world.newJob('million', { from: 0, count: 1_000_000 });
  }, 120_000);
  afterAll(() => world?.close());

  it('sends 60 batches in the first minute, the other 40 in the next, each OpenID exactly once, ' +
    'within 128 MB', async () => {
    const first = await world.dispatch();
    peaks.push(first.maxRssMb ?? Number.NaN);
    expect(first.result).toMatchObject({ calls: 60, sent: 60, stopped: 'minute_limit' });

    world.sandbox.advanceClock(61_000);
    const second = await world.dispatch();
    peaks.push(second.maxRssMb ?? Number.NaN);
    expect(second.result).toMatchObject({ calls: 40, sent: 40, stopped: 'idle' });

    const sends = world.sandbox.calls().filter((c) => c.path === SEND);
    expect(sends).toHaveLength(100);
    expect(sends.every((c) => c.errcode === 0)).toBe(true);
    expect(busiestMinute(sends.map((c) => c.at))).toBe(60);
    expect(world.sandbox.bulkSummary(service.appid)).toEqual({ count: 1_000_000, never: 0, once: 1_000_000, more: 0 });
    expect(await requireJob(world.repo, jobId)).toMatchObject({ state: 'done', openIds: 1_000_000, batches: 100 });
    console.log(`dispatcher peak RSS per run: ${peaks.map((p) => p.toFixed(1)).join(' MB, ')} MB`);
    for (const peak of peaks) expect(peak).toBeLessThan(128);
  }, 120_000);
});
