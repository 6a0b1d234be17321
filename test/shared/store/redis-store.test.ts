import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStore } from '../../../shared/store/redis-store';
import { hasRedisServer, redisSuiteTitle, startRedisServer, type RedisServer } from '../../support/redis-server';
import { storeContract } from './store-contract';

describe.skipIf(!hasRedisServer)(redisSuiteTitle('createRedisStore against a real redis-server'), () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  storeContract(async () => createRedisStore(server.url));

  it('works again after the server restarts', async () => {
    const store = createRedisStore(server.url);
    await store.set('restart:probe', 'before');
    await server.restart();
    // Persistence is off, so the value is gone, but the same client reconnects by itself.
    expect(await store.get('restart:probe')).toBeNull();
    await store.set('restart:probe', 'after');
    expect(await store.get('restart:probe')).toBe('after');
    await store.close();
  });
});
