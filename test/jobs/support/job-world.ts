import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bulkOpenId, DEMO_ACCOUNTS, type Sandbox, startSandbox } from '../../../sandbox/server';
import type { Message } from '../../../shared/api/message';
import { nextBeijingMidnight } from '../../../shared/jobs/beijing-day';
import { appendChunk, createJob, type JobRepoDeps, startJob } from '../../../shared/jobs/job-repository';
import { createFileStore } from '../../../shared/store/file-store';
import type { DispatchSummary } from '../../../shared/jobs/dispatcher';
import { type BundleRun, runBundle } from './run-bundle';

export const SEND = '/cgi-bin/message/mass/send';
export const API_KEY = 'jobs-test-api-key-0123456789';
export const service = DEMO_ACCOUNTS.service;
const DAY = 86_400_000;

/**
 * A Beijing midnight three days back. The sandbox's clock starts near it and only moves
 * forward by minutes, so it stays in the past: the file store judges a lock stale by comparing
 * the (shifted) clock with file times, and must never see a lock from its future.
 */
export const PAST_MIDNIGHT = nextBeijingMidnight(Date.now()) - 3 * DAY;

export interface JobWorld {
  sandbox: Sandbox;
  repo: JobRepoDeps;
  storeDir: string;
  /** Runs dist/dispatcher in a fresh process at the sandbox's time. */
  dispatch(options?: { killAt?: string; event?: unknown }): Promise<BundleRun<DispatchSummary>>;
  run<T>(name: string, event: unknown): Promise<BundleRun<T>>;
  newJob(clientMsgId: string, openIds: { from: number; count: number }, sendAt?: number): Promise<string>;
  close(): Promise<void>;
}

export async function startJobWorld(options: { bulkFollowers: number; startAt: number }): Promise<JobWorld> {
  const shift = options.startAt - Date.now();
  const sandbox = await startSandbox({
    now: () => Date.now() + shift,
    bulkFollowers: options.bulkFollowers,
    jobDurationMs: 1_000,
    log: () => {},
  });
  const storeDir = await mkdtemp(join(tmpdir(), 'jobs-'));
  const store = createFileStore(storeDir, { now: () => sandbox.now() });
  const repo: JobRepoDeps = { store, appId: service.appid, now: () => sandbox.now() };
  const env = {
    API_KEYS: API_KEY,
    WECHAT_APP_ID: service.appid,
    WECHAT_APP_SECRET: service.secret,
    WECHAT_API_BASE_URL: sandbox.url,
    STORE_URL: `file:${storeDir}`,
  };
  const run = <T>(name: string, event: unknown, killAt?: string) =>
    runBundle<T>(name, { env, clockOffsetMs: sandbox.now() - Date.now(), event, ...(killAt ? { killAt } : {}) });
  return {
    sandbox,
    repo,
    storeDir,
    dispatch: (opts = {}) =>
      run<DispatchSummary>('dispatcher', opts.event ?? { Type: 'Timer', TriggerName: 'dispatcher' }, opts.killAt),
    run: (name, event) => run(name, event),
    async newJob(clientMsgId, { from, count }, sendAt) {
      const message = { type: 'text', content: `Hello from ${clientMsgId}` } as Message;
      const { job } = await createJob(repo, { clientMsgId, message, ...(sendAt ? { sendAt } : {}) });
      const CHUNK = 100_000;
      for (let n = 0; n * CHUNK < count; n++) {
        const size = Math.min(CHUNK, count - n * CHUNK);
        await appendChunk(
          repo,
          job.id,
          n,
          Array.from({ length: size }, (_, i) => bulkOpenId(from + n * CHUNK + i)),
        );
      }
      await startJob(repo, job.id);
      return job.id;
    },
    async close() {
      await sandbox.close();
      await rm(storeDir, { recursive: true, force: true });
    },
  };
}

/** The most mass-send calls WeChat accepted in any 60 seconds. */
export function busiestMinute(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[j]! < sorted[i]! - 59_999) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}
