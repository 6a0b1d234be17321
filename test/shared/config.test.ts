import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../../shared/config';

const WECHAT = { WECHAT_APP_ID: 'wx1', WECHAT_APP_SECRET: 'secret-value-123' };

describe('readConfig', () => {
  it('reads the wechat section with its defaults', () => {
    expect(readConfig(WECHAT, 'wechat').wechat).toEqual({
      appId: 'wx1',
      appSecret: 'secret-value-123',
      apiBaseUrl: 'https://api.weixin.qq.com',
      tokenEndpoint: 'stable',
      timeoutMs: 4_000,
      uploadTimeoutMs: 25_000,
      massSendPerMinute: 60,
      massSendPerDay: 100,
    });
  });

  it('names every missing or malformed variable at once, and why', () => {
    const err = (() => {
      try {
        readConfig(
          { WECHAT_APP_ID: ' ', WECHAT_API_BASE_URL: 'not a url', WECHAT_TIMEOUT_MS: '10s', STORE_URL: 'mysql://x' },
          'wechat',
          'store',
        );
      } catch (e) {
        return e;
      }
    })() as ConfigError;
    expect(err).toBeInstanceOf(ConfigError);
    const variables = err.problems.map((p) => p.variable).sort();
    expect(variables).toEqual([
      'STORE_URL',
      'WECHAT_API_BASE_URL',
      'WECHAT_APP_ID',
      'WECHAT_APP_SECRET',
      'WECHAT_TIMEOUT_MS',
    ]);
    expect(err.message).toMatch(/WECHAT_APP_ID: is required/);
    expect(err.message).toMatch(/WECHAT_TIMEOUT_MS: must be a whole number/);
    expect(err.message).toMatch(/STORE_URL: must be memory:, file:<dir> or redis:\/\/…/);
  });

  it('requires only the variables of the sections asked for', () => {
    expect(readConfig({ STORE_URL: 'memory:' }, 'store')).toEqual({ store: { url: 'memory:' } });
    expect(() => readConfig({ STORE_URL: 'memory:' }, 'store', 'wechat')).toThrow(/WECHAT_APP_ID/);
  });

  it('splits API_KEYS on commas and trims them, several keys for rotation', () => {
    expect(readConfig({ API_KEYS: ' key-one-0123456789 , key-two-0123456789,,' }, 'api').api.keys).toEqual([
      'key-one-0123456789',
      'key-two-0123456789',
    ]);
    expect(readConfig({}, 'api').api.keys).toEqual([]);
  });

  it('refuses an API key shorter than 16 characters: weak, and too short to scrub from logs', () => {
    expect(() => readConfig({ API_KEYS: 'long-enough-key-0001,short' }, 'api')).toThrow(
      /API_KEYS\[1\]: each key must be at least 16 characters/,
    );
  });

  it('treats an empty variable as unset (deployment templates pass every variable)', () => {
    const config = readConfig(
      {
        WECHAT_APP_ID: 'wx1',
        WECHAT_TOKEN: 'tok',
        WECHAT_ENCODING_AES_KEY: '',
        NOTIFY_URL: '',
        CALLBACK_TIMESTAMP_WINDOW_SECONDS: '',
      },
      'callback',
    ).callback;
    expect(config.aesKeys).toEqual([]);
    expect(config.notify).toBeUndefined();
    expect(config.windowSeconds).toBe(300);
    expect(() => readConfig({ WECHAT_APP_ID: '', WECHAT_TOKEN: 'tok' }, 'callback')).toThrow(
      /WECHAT_APP_ID: is required/,
    );
  });

  it('accepts only a 43-character EncodingAESKey, and keeps a previous token and key for rotation', () => {
    const key = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
    const ok = readConfig(
      {
        WECHAT_APP_ID: 'wx1',
        WECHAT_TOKEN: 'tok',
        WECHAT_TOKEN_PREVIOUS: 'old',
        WECHAT_ENCODING_AES_KEY: key,
        WECHAT_ENCODING_AES_KEY_PREVIOUS: `${key.toLowerCase()}`,
      },
      'callback',
    ).callback;
    expect(ok.tokens).toEqual(['tok', 'old']);
    expect(ok.aesKeys).toHaveLength(2);
    expect(ok.windowSeconds).toBe(300);
    expect(() =>
      readConfig({ WECHAT_APP_ID: 'wx1', WECHAT_TOKEN: 'tok', WECHAT_ENCODING_AES_KEY: 'short' }, 'callback'),
    ).toThrow(/WECHAT_ENCODING_AES_KEY: must be 43 base64 characters/);
  });

  it('never puts a variable value in the error', () => {
    const err = (() => {
      try {
        readConfig(
          { WECHAT_APP_ID: 'wx1', WECHAT_APP_SECRET: 'super-secret', WECHAT_TIMEOUT_MS: 'super-secret-too' },
          'wechat',
        );
      } catch (e) {
        return e as Error;
      }
    })()!;
    expect(err.message).not.toContain('super-secret');
  });

  it('demands NOTIFY_SECRET when NOTIFY_URL is set', () => {
    expect(() =>
      readConfig({ WECHAT_APP_ID: 'wx1', WECHAT_TOKEN: 'tok', NOTIFY_URL: 'https://ops.example/hook' }, 'callback'),
    ).toThrow(/NOTIFY_SECRET: is required when NOTIFY_URL is set/);
  });

  describe('STORE_URL for Redis', () => {
    const problemsOf = (url: string) => {
      try {
        readConfig({ STORE_URL: url }, 'store');
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error(`STORE_URL was accepted`);
    };

    it.each([
      ['#', 'redis://:pa#ss-0001@10.0.0.5:6379/0'],
      ['/', 'redis://:pa/ss-0001@10.0.0.5:6379/0'],
      ['?', 'redis://:pa?ss-0001@10.0.0.5:6379/0'],
    ])('refuses a password with an unencoded %s, naming STORE_URL and never printing it', (_char, url) => {
      const err = problemsOf(url);
      expect(err).toBeInstanceOf(ConfigError);
      expect(err.problems.map((p) => p.variable)).toEqual(['STORE_URL']);
      expect(err.message).toMatch(/percent-encoded/);
      expect(err.message).not.toContain('ss-0001');
      expect(JSON.stringify(err.problems)).not.toContain('ss-0001');
    });

    it('refuses a database path that is not a number', () => {
      const err = problemsOf('redis://:secret-0001@10.0.0.5:6379/cache');
      expect(err.problems).toEqual([{ variable: 'STORE_URL', reason: expect.stringMatching(/database as a number/) }]);
      expect(err.message).not.toContain('secret-0001');
    });

    it('accepts a percent-encoded password and a database number', () => {
      const url = 'redis://:pa%23ss%2Fw%3Frd@10.0.0.5:6379/3';
      expect(readConfig({ STORE_URL: url }, 'store').store.url).toBe(url);
      expect(readConfig({ STORE_URL: 'rediss://user:pw-0001@r.example:6380' }, 'store').store.url).toMatch(/^rediss/);
    });
  });
});
