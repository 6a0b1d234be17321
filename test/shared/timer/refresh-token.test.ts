import { beforeEach, describe, expect, it } from 'vitest';
import { buildTimerDeps } from '../../../shared/runtime/timer';
import { createRefreshTokenHandler } from '../../../shared/timer/refresh-token';
import { accessTokenKeys } from '../../../shared/wechat/access-token';
import { createLogger } from '../../../shared/log';
import { createMemoryStore } from '../../../shared/store/memory-store';
import { collectLogs, useWeChatMock } from '../../support/mock-wechat';

const ENV = { WECHAT_APP_ID: 'wxtimer000000001', WECHAT_APP_SECRET: 'timer-secret-abcdef', STORE_URL: 'memory:' };
const TIMER_EVENT = { Type: 'Timer', TriggerName: 'refresh-token', Time: '2026-11-23T12:00:00Z', Message: '' };

describe('refresh-token timer', () => {
  const mock = useWeChatMock();
  let logs: ReturnType<typeof collectLogs>;
  beforeEach(() => {
    logs = collectLogs();
  });

  it('refreshes a token that expires within its 15-minute margin and stores it for every function', async () => {
    let clock = 5_000_000;
    const store = createMemoryStore(() => clock);
    let issued = 0;
    mock.wechat
      .intercept({ path: '/cgi-bin/stable_token', method: 'POST' })
      .reply(200, () => JSON.stringify({ access_token: `TIMER_TOKEN_${++issued}`, expires_in: 7200 }))
      .times(2);
    const deps = buildTimerDeps(ENV, {
      store,
      transport: mock.transport,
      now: () => clock,
      tokenMarginMs: 15 * 60_000,
      log: createLogger({}, logs.sink),
    });
    const refresh = createRefreshTokenHandler(() => deps);

    expect(await refresh(TIMER_EVENT)).toEqual({ ok: true });
    clock += (7200 - 14 * 60) * 1000; // 14 minutes before expiry
    expect(await refresh(TIMER_EVENT)).toEqual({ ok: true });
    expect(issued).toBe(2);
    expect(JSON.parse((await store.get(accessTokenKeys(ENV.WECHAT_APP_ID).token))!).token).toBe('TIMER_TOKEN_2');
    expect(logs.lines.join('\n')).not.toMatch(/TIMER_TOKEN_|timer-secret-abcdef/);
  });

  it('fails the invocation (so SCF counts it) with the reason, and logs no secret', async () => {
    mock.wechat
      .intercept({ path: '/cgi-bin/stable_token', method: 'POST' })
      .reply(200, '{"errcode":40125,"errmsg":"invalid appsecret"}');
    const deps = buildTimerDeps(ENV, {
      store: createMemoryStore(),
      transport: mock.transport,
      log: createLogger({}, logs.sink),
    });
    const err = await createRefreshTokenHandler(() => deps)(TIMER_EVENT).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'RefreshFailedError', reason: 'AccessTokenError' });
    expect(String(err)).not.toContain('timer-secret-abcdef');
    expect(logs.lines.some((l) => l.includes('40125'))).toBe(true);
    expect(logs.lines.join('\n')).not.toContain('timer-secret-abcdef');
  });

  it('fails with ConfigError when configuration is missing, naming the variables in the log', async () => {
    const err = await createRefreshTokenHandler(() => buildTimerDeps({}))(TIMER_EVENT).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'RefreshFailedError', reason: 'ConfigError' });
  });
});
