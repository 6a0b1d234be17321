import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
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
  stop(): Promise<void>;
  /** Stops and starts the server again on the same port, as a restart in production would. */
  restart(): Promise<void>;
}

/** A throwaway redis-server on loopback, with persistence off. */
export async function startRedisServer(): Promise<RedisServer> {
  if (!hasRedisServer) throw new Error(`redis-server is not installed; install it with: ${REDIS_INSTALL_HINT}`);
  const port = await freePort();
  let child: ChildProcess;

  async function launch() {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    const client = new Redis({
      port,
      host: '127.0.0.1',
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
    if (child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }

  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop,
    async restart() {
      await stop();
      await launch();
    },
  };
}
