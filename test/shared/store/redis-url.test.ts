import { afterEach, describe, expect, it } from 'vitest';
import { forgetSecrets, redact } from '../../../shared/redact';
import { openStore } from '../../../shared/store/open-store';
import { parseRedisUrl, RedisUrlError } from '../../../shared/store/redis-url';

describe('parseRedisUrl', () => {
  it('decodes a percent-encoded user and password, and reads the database number', () => {
    expect(parseRedisUrl('redis://ops:p%40ss%23w%2Frd%3F%25@10.0.0.5:6380/3')).toEqual({
      host: '10.0.0.5',
      port: 6380,
      username: 'ops',
      password: 'p@ss#w/rd?%',
      db: 3,
      tls: false,
    });
  });

  it('defaults to port 6379 and database 0, and knows rediss:// means TLS', () => {
    expect(parseRedisUrl('rediss://r.example')).toEqual({ host: 'r.example', port: 6379, db: 0, tls: true });
    expect(parseRedisUrl('redis://:only-password@[::1]:7000/')).toMatchObject({
      host: '::1',
      port: 7000,
      password: 'only-password',
      db: 0,
    });
  });

  it.each([
    'redis://:xq9#zz@h:6379/0',
    'redis://:xq9/zz@h:6379/0',
    'redis://:xq9?zz@h:6379/0',
    'redis://:xq9zz@h:6379/zero',
    'redis://:xq9%E0%A4%A@h:6379',
    'redis://:xq9@',
  ])('refuses %s with an error that does not hold the URL', (url) => {
    let caught: unknown;
    try {
      parseRedisUrl(url);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(RedisUrlError);
    expect(JSON.stringify({ ...(caught as object), message: (caught as Error).message })).not.toContain('xq9');
    expect((caught as Error).message).not.toContain(url);
  });
});

describe('openStore with a Redis URL', () => {
  afterEach(() => forgetSecrets());

  it('scrubs the password from log output from then on, as spelt in the URL and decoded', async () => {
    const store = openStore('redis://:s3cret%23pass%2Fword@127.0.0.1:1/0');
    expect(redact('auth s3cret#pass/word failed for redis://:s3cret%23pass%2Fword@127.0.0.1:1/0')).toBe(
      'auth [REDACTED] failed for redis://:[REDACTED]@127.0.0.1:1/0',
    );
    await store.close();
  });
});
