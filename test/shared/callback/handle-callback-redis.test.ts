import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCallbackHandler } from '../../../shared/callback/handle-callback';
import { readMassReport } from '../../../shared/reports/mass-report-store';
import { createRedisStore } from '../../../shared/store/redis-store';
import type { Store } from '../../../shared/store/store';
import { massSendJobFinish } from '../../fixtures/mass-send-job-finish';
import { hasRedisServer, redisSuiteTitle, startRedisServer, type RedisServer } from '../../support/redis-server';
import { APP_ID, callbackDeps, driveCallback, safePush } from './callback-requests';

describe.skipIf(!hasRedisServer)(redisSuiteTitle('the callback on a Redis that stops answering (SIGSTOP)'), () => {
  let server: RedisServer;
  let store: Store;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterEach(async () => {
    server.resume();
    await store?.close();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("answers 500 well inside WeChat's 5 s, and WeChat's retry after Redis resumes is recorded", async () => {
    // The callback's own command timeout (shared/runtime/callback.ts).
    store = createRedisStore(server.url, { commandTimeoutMs: 1_000 });
    await store.get('warm');
    const push = safePush(massSendJobFinish({ msgId: '3147494552' }), {
      timestamp: String(Math.floor(Date.now() / 1000)),
    });
    const handle = driveCallback(createCallbackHandler(callbackDeps({ now: Date.now, store })));

    server.pause();
    const started = performance.now();
    const stalled = await handle(push);
    const elapsed = performance.now() - started;
    server.resume();

    expect(stalled.status).toBe(500);
    expect(elapsed).toBeLessThan(4_000);
    expect(await handle(push)).toMatchObject({ status: 200, body: 'success' });
    expect(await readMassReport(store, APP_ID, '3147494552')).toMatchObject({ msgId: '3147494552' });
  }, 20_000);
});
