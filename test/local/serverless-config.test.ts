import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cronMatches, readServerlessConfig } from '../../local/serverless-config';
import { functionNames } from '../../scripts/build';

const config = readServerlessConfig(resolve(import.meta.dirname, '../../serverless.yml'));

describe('readServerlessConfig', () => {
  it('finds the refresh-token and dispatcher timers declared in serverless.yml', () => {
    expect(config.timers).toEqual([
      { function: 'refresh-token', name: 'refresh-token', cron: '0 */5 * * * * *', enable: true },
      { function: 'dispatcher', name: 'dispatcher', cron: '0 * * * * * *', enable: true },
    ]);
    expect(config.functions.dispatcher?.timeoutSeconds).toBe(90);
    expect(config.functions.dispatcher?.environment).not.toContain('API_KEYS');
  });

  it('declares every function folder, each with a timeout', () => {
    expect(Object.keys(config.functions).sort()).toEqual(functionNames());
    expect(config.functions.callback?.timeoutSeconds).toBe(5);
    expect(config.functions['send-by-tag']?.timeoutSeconds).toBe(40);
  });

  it('keeps the AppSecret and the API keys away from the callback, and the callback secrets away from the API', () => {
    const callback = config.functions.callback!.environment;
    expect(callback).toEqual(
      expect.arrayContaining(['WECHAT_APP_ID', 'WECHAT_TOKEN', 'WECHAT_ENCODING_AES_KEY', 'STORE_URL']),
    );
    expect(callback).not.toContain('WECHAT_APP_SECRET');
    expect(callback).not.toContain('API_KEYS');
    for (const name of ['send-by-tag', 'send-by-list', 'preview', 'delete', 'status', 'speed', 'media']) {
      const env = config.functions[name]!.environment;
      expect(env, name).toEqual(
        expect.arrayContaining(['WECHAT_APP_ID', 'WECHAT_APP_SECRET', 'STORE_URL', 'API_KEYS', 'WECHAT_API_BASE_URL']),
      );
      expect(env, name).not.toContain('WECHAT_TOKEN');
      expect(env, name).not.toContain('WECHAT_ENCODING_AES_KEY');
    }
    expect(config.functions['refresh-token']!.environment).not.toContain('API_KEYS');
  });
});

describe('cronMatches', () => {
  const at = (iso: string) => new Date(iso);
  it('matches SCF seven-field expressions with steps, lists and ranges', () => {
    expect(cronMatches('0 */5 * * * * *', at('2026-11-23T12:05:00'))).toBe(true);
    expect(cronMatches('0 */5 * * * * *', at('2026-11-23T12:06:00'))).toBe(false);
    expect(cronMatches('0 */5 * * * * *', at('2026-11-23T12:05:01'))).toBe(false);
    expect(cronMatches('30 0 9-17 * * 1,3 *', at('2026-11-23T10:00:30'))).toBe(true); // a Monday
    expect(cronMatches('30 0 9-17 * * 1,3 *', at('2026-11-24T10:00:30'))).toBe(false);
  });
  it('rejects a five-field Unix cron', () => {
    expect(() => cronMatches('*/5 * * * *', new Date())).toThrow(/7 fields/);
  });
});
