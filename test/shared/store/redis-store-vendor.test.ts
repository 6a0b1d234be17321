import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';
import { describe, expect, it, vi } from 'vitest';
import { IOREDIS_COMMANDS } from '../../../scripts/build';
import { redisStoreSuites } from './redis-store-suite';

// Everything in this file, the store under test included, gets the vendor file the functions
// require at run time: the build trims ioredis's command table and leaves Cluster and Sentinel out.
vi.mock('ioredis', async () => {
  const { createRequire } = await import('node:module');
  const { distDir } = await import('../../support/dist');
  const vendor = createRequire(import.meta.url)(join(distDir(), 'vendor', 'ioredis.js'));
  return { default: vendor, ReplyError: vendor.ReplyError };
});

const STORE_DIR = join(import.meta.dirname, '..', '..', '..', 'shared', 'store');

/** Every `redis.<method>(` the store's Redis code calls, string literals (its Lua) left out. */
function clientMethodsCalled(): string[] {
  const names = new Set<string>();
  for (const file of readdirSync(STORE_DIR).filter((f) => f.startsWith('redis-') && f.endsWith('.ts'))) {
    const code = readFileSync(join(STORE_DIR, file), 'utf8').replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"/g, "''");
    for (const [, name] of code.matchAll(/\bredis\.(\w+)\(/g)) names.add(name!);
  }
  return [...names].sort();
}

describe('the ioredis vendor file', () => {
  const proto = Redis.prototype as unknown as Record<string, unknown>;

  it('leaves out pipelines, transactions, defineCommand and scanStream, which the store never uses', () => {
    const redis = new Redis({ lazyConnect: true });
    expect(proto.pipeline).toBeUndefined();
    expect(proto.multi).toBeUndefined();
    expect(() => redis.defineCommand('x', { lua: 'return 1', numberOfKeys: 0 })).toThrow(
      /defineCommand is not in this build of ioredis/,
    );
    expect(() => redis.scanStream()).toThrow(/scanStream is not in this build of ioredis/);
    redis.disconnect();
  });

  it('is the trimmed build: listed commands only, no Cluster or Sentinel', () => {
    expect(typeof proto.get).toBe('function');
    expect(proto.hset).toBeUndefined();
    expect(() => new Redis.Cluster([])).toThrow(/Redis Cluster is not in this build of ioredis/);
    expect(() => new Redis({ sentinels: [{ host: '127.0.0.1', port: 1 }], name: 'm', lazyConnect: true })).toThrow(
      /Redis Sentinel is not in this build of ioredis/,
    );
  });

  it('has a method for every command the store calls', () => {
    const called = clientMethodsCalled();
    expect(called).toEqual(expect.arrayContaining(['get', 'set', 'eval', 'mget', 'del', 'quit', 'call']));
    for (const name of called) expect(typeof proto[name], `redis.${name}`).toBe('function');
    for (const name of IOREDIS_COMMANDS) expect(typeof proto[name], `redis.${name}`).toBe('function');
  });
});

redisStoreSuites('dist/vendor/ioredis.js, as the functions ship it');
