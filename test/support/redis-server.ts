import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';

export const REDIS_INSTALL_HINT = 'apt-get install -y redis-server';

export const hasRedisServer = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;

// CI must prove the Redis adapter: a missing redis-server fails the run there instead of skipping.
if (!hasRedisServer && process.env.CI === 'true') {
  throw new Error(`redis-server is required under CI=true; install it with: ${REDIS_INSTALL_HINT}`);
}

/** Suite title that says why the Redis tests were skipped and how to run them. */
export function redisSuiteTitle(title: string): string {
  return hasRedisServer ? title : `${title} [skipped: redis-server not found; install with: ${REDIS_INSTALL_HINT}]`;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface RedisServer {
  url: string;
  port: number;
  /** The password the server requires (`requirepass`), when it was started with one. */
  password?: string;
  stop(): Promise<void>;
  /** SIGSTOP: connections stay open and nothing answers, as with an overloaded or stalled server. */
  pause(): void;
  /** SIGCONT after `pause`. */
  resume(): void;
  /** Stops and starts the server again on the same port, as a restart in production would. */
  restart(): Promise<void>;
}

/**
 * A throwaway redis-server on loopback, with persistence off; with a password, the server
 * requires it and `url` carries it percent-encoded.
 */
export async function startRedisServer(
  options: { password?: string /** More redis-server arguments. */; args?: string[] } = {},
): Promise<RedisServer> {
  const { password } = options;
  if (!hasRedisServer) throw new Error(`redis-server is not installed; install it with: ${REDIS_INSTALL_HINT}`);
  const port = await freePort();
  let child: ChildProcess;

  async function launch() {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    if (password !== undefined) args.push('--requirepass', password);
    args.push(...(options.args ?? []));
    child = spawn('redis-server', args, { stdio: 'ignore' });
    const client = new Redis({
      port,
      host: '127.0.0.1',
      password,
      lazyConnect: true,
      retryStrategy: () => 50,
      maxRetriesPerRequest: null,
    });
    client.on('error', () => {});
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        await client.connect().catch(() => {});
        if ((await client.ping()) === 'PONG') break;
      } catch {
        if (Date.now() > deadline) throw new Error('redis-server did not start');
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    client.disconnect();
  }

  async function stop() {
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      // A paused server would not act on SIGTERM until continued.
      child.kill('SIGCONT');
      child.kill('SIGTERM');
    });
  }

  await launch();
  const auth = password === undefined ? '' : `:${encodeURIComponent(password)}@`;
  return {
    url: `redis://${auth}127.0.0.1:${port}`,
    port,
    ...(password === undefined ? {} : { password }),
    stop,
    pause: () => child.kill('SIGSTOP'),
    resume: () => child.kill('SIGCONT'),
    async restart() {
      await stop();
      await launch();
    },
  };
}

/**
 * One cluster-enabled redis-server holding every slot. Tencent Cloud Redis in its cluster
 * architecture runs a script only on keys of one slot, as a Redis Cluster does
 * (tencentcloud.com/document/product/239/37594): this node refuses the same commands.
 */
export async function startRedisClusterNode(): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), 'redis-cluster-'));
  const server = await startRedisServer({
    args: ['--cluster-enabled', 'yes', '--cluster-config-file', join(dir, 'nodes.conf')],
  });
  const admin = new Redis(server.port, '127.0.0.1');
  await admin.call('CLUSTER', 'ADDSLOTS', ...Array.from({ length: 16_384 }, (_, slot) => slot));
  while (!String(await admin.call('CLUSTER', 'INFO')).includes('cluster_state:ok')) {
    await new Promise((r) => setTimeout(r, 20));
  }
  admin.disconnect();
  return {
    ...server,
    async stop() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
