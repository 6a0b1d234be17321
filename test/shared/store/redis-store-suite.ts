import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStore } from '../../../shared/store/redis-store';
import { StoreUnavailableError, type Store } from '../../../shared/store/store';
import { createServer, type Socket } from 'node:net';
import {
  freePort,
  hasRedisServer,
  redisSuiteTitle,
  startRedisServer,
  type RedisServer,
} from '../../support/redis-server';
import { storeContract } from './store-contract';

/**
 * The Redis store's suites, run once with ioredis from node_modules (redis-store.test.ts) and once
 * with the vendor file the functions ship (redis-store-vendor.test.ts), which the build trims.
 */
export function redisStoreSuites(client: string) {
  describe.skipIf(!hasRedisServer)(redisSuiteTitle(`${client}: createRedisStore against a real redis-server`), () => {
    let server: RedisServer;
    beforeAll(async () => {
      server = await startRedisServer();
    });
    afterAll(async () => {
      await server?.stop();
    });

    storeContract(async () => createRedisStore(server.url), { carriesMessages: true });

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

    describe('a Redis that stops answering (SIGSTOP) on an open connection', () => {
      // What a caller sees within `limitMs`: the value, the error, or that it is still waiting.
      async function within(limitMs: number, call: () => Promise<unknown>): Promise<unknown> {
        let timer: NodeJS.Timeout | undefined;
        const waiting = new Promise((resolve) => {
          timer = setTimeout(() => resolve('still waiting'), limitMs);
        });
        try {
          return await Promise.race([call().catch((err: unknown) => err), waiting]);
        } finally {
          clearTimeout(timer);
        }
      }

      let stores: Store[] = [];
      afterEach(async () => {
        // Never leave the server stopped for the next test, nor a client waiting on it.
        server.resume();
        await Promise.all(stores.map((store) => store.close()));
        stores = [];
      });

      it('fails a command with StoreUnavailableError within seconds, and answers again once it resumes', async () => {
        const store = createRedisStore(server.url);
        stores.push(store);
        await store.set('pause:probe', 'before');
        server.pause();

        expect(await within(5_000, () => store.get('pause:probe'))).toBeInstanceOf(StoreUnavailableError);
        expect(await within(5_000, () => store.setIfAbsent('pause:claim', 'x', 1_000))).toBeInstanceOf(
          StoreUnavailableError,
        );

        server.resume();
        expect(await within(5_000, () => store.get('pause:probe'))).toBe('before');
      }, 20_000);

      it('fails the first command of a cold container within seconds', async () => {
        server.pause();
        const store = createRedisStore(server.url);
        stores.push(store);
        expect(await within(5_000, () => store.get('pause:probe'))).toBeInstanceOf(StoreUnavailableError);
      }, 20_000);

      it('honours a shorter command timeout (the callback uses one)', async () => {
        const store = createRedisStore(server.url, { commandTimeoutMs: 300 });
        stores.push(store);
        await store.set('pause:probe', 'before');
        server.pause();
        expect(await within(1_000, () => store.get('pause:probe'))).toBeInstanceOf(StoreUnavailableError);
      }, 20_000);
    });

    it('fails within the command timeout while the server is down, not queued for a reconnect', async () => {
      const other = await startRedisServer();
      const store = createRedisStore(other.url);
      try {
        await store.set('down:probe', 'v');
        await other.stop();
        const started = performance.now();
        await expect(store.get('down:probe')).rejects.toBeInstanceOf(StoreUnavailableError);
        expect(performance.now() - started).toBeLessThan(3_000);
      } finally {
        await store.close();
        await other.stop();
      }
    });
  });

  describe.skipIf(!hasRedisServer)(
    redisSuiteTitle(`${client}: createRedisStore waiting for a change on its one connection`),
    () => {
      let server: RedisServer;
      beforeAll(async () => {
        server = await startRedisServer();
      });
      afterAll(async () => {
        await server?.stop();
      });

      it('answers other commands while a wait blocks, within a short command timeout', async () => {
        const store = createRedisStore(server.url, { commandTimeoutMs: 300 });
        const other = createRedisStore(server.url);
        try {
          await store.set('busy:probe', 'v');
          // Two channels at once: only one blocking read may hold the connection.
          const first = store.waitForChange('busy:one', null, 1_500);
          const second = store.waitForChange('busy:two', null, 1_500);
          await new Promise((r) => setTimeout(r, 100));
          for (let i = 0; i < 5; i++) {
            expect(await store.get('busy:probe')).toBe('v');
            await new Promise((r) => setTimeout(r, 100));
          }
          await other.notifyChange('busy:two');
          expect((await second).version).toBe(await other.get('busy:two'));
          expect(await first).toEqual({ version: null });
        } finally {
          await Promise.all([store.close(), other.close()]);
        }
      }, 10_000);
    },
  );

  describe.skipIf(!hasRedisServer)(
    redisSuiteTitle(`${client}: createRedisStore on a Redis without streams (before 5.0)`),
    () => {
      let server: RedisServer;
      beforeAll(async () => {
        // Redis 2.8 and 4.0 (still offered by Tencent Cloud) have no XADD / XREAD.
        server = await startRedisServer({
          args: ['--rename-command', 'XADD', 'XADD-HIDDEN', '--rename-command', 'XREAD', 'XREAD-HIDDEN'],
        });
      });
      afterAll(async () => {
        await server?.stop();
      });

      storeContract(async () => createRedisStore(server.url), { carriesMessages: false });
    },
  );

  describe(`${client}: createRedisStore's first connection`, () => {
    it('fails the first commands of a cold container at once when nothing listens', async () => {
      const store = createRedisStore(`redis://127.0.0.1:${await freePort()}`);
      const started = performance.now();
      const outcomes = await Promise.all([store.get('cold:a'), store.set('cold:b', 'v')].map((p) => p.catch((e) => e)));
      expect(outcomes[0]).toBeInstanceOf(StoreUnavailableError);
      expect(outcomes[1]).toBeInstanceOf(StoreUnavailableError);
      expect(performance.now() - started).toBeLessThan(1_000);
      await store.close();
    });

    it('gives up on a connection that never becomes ready after connectTimeoutMs', async () => {
      // A TCP server that never answers the TLS handshake of rediss://: connected, never ready.
      const sockets: Socket[] = [];
      const silent = createServer((socket) => sockets.push(socket));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const { port } = silent.address() as { port: number };
      const store = createRedisStore(`rediss://127.0.0.1:${port}`, { connectTimeoutMs: 300 });
      try {
        const started = performance.now();
        const outcomes = await Promise.all([store.get('cold:a'), store.get('cold:b')].map((p) => p.catch((e) => e)));
        expect(outcomes[0]).toBeInstanceOf(StoreUnavailableError);
        expect(outcomes[1]).toBeInstanceOf(StoreUnavailableError);
        expect(performance.now() - started).toBeGreaterThanOrEqual(250);
        // A plain connection would be ready at once and its command would time out at 1500 ms.
        expect(performance.now() - started).toBeLessThan(1_200);
      } finally {
        await store.close();
        for (const socket of sockets) socket.destroy();
        await new Promise((resolve) => silent.close(resolve));
      }
    });
  });

  describe.skipIf(!hasRedisServer)(redisSuiteTitle(`${client}: createRedisStore with a password in STORE_URL`), () => {
    // Every character that breaks an unencoded URL: it travels percent-encoded.
    const PASSWORD = 'p@ss#w/rd?x:y%z';
    let server: RedisServer;
    beforeAll(async () => {
      server = await startRedisServer({ password: PASSWORD });
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('authenticates as the ACL user STORE_URL names, and fails with its password alone', async () => {
      const acl = await startRedisServer({
        password: 'default-user-pw',
        args: ['--user', 'mass', 'on', '>s3cret-pw', '~*', '&*', '+@all'],
      });
      const store = createRedisStore(`redis://mass:s3cret-pw@127.0.0.1:${acl.port}`);
      const anonymous = createRedisStore(`redis://:s3cret-pw@127.0.0.1:${acl.port}`);
      try {
        await store.set('acl:probe', 'ok');
        expect(await store.get('acl:probe')).toBe('ok');
        await expect(anonymous.get('acl:probe')).rejects.toBeInstanceOf(StoreUnavailableError);
      } finally {
        await Promise.all([store.close(), anonymous.close()]);
        await acl.stop();
      }
    });

    it('authenticates with a percent-encoded password holding # / ? @ : %', async () => {
      expect(server.url).not.toContain(PASSWORD);
      const store = createRedisStore(server.url);
      await store.set('auth:probe', 'ok');
      expect(await store.get('auth:probe')).toBe('ok');
      await store.close();
    });
  });
}
