import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionNames } from '../../scripts/build';
import { DEMO_ACCOUNTS, startSandbox, type Sandbox } from '../../sandbox/server';
import { apiEvent } from '../support/api-event';
import { distDir } from '../support/dist';
import { hasRedisServer, startRedisServer, type RedisServer } from '../support/redis-server';

const run = promisify(execFile);
const API_KEY = 'bundle-runtime-key-3e9f1c7a';

// Invokes the bundle once in a fresh node, as SCF does, and reports which of Node's own
// modules the process loaded by then (process.moduleLoadList).
const DRIVER = `const [,bundle,event]=process.argv;
require(bundle).main_handler(JSON.parse(event),{request_id:'bundle-runtime'}).then((r)=>{
console.log(JSON.stringify({status:r.statusCode,modules:process.moduleLoadList}));process.exit(0)},
(e)=>{console.log(JSON.stringify({error:String(e)}));process.exit(1)})`;

// ioredis's first evaluation loads node:assert (its utils) and node:tls; on plain-HTTP
// loopback nothing else in a function needs either.
const IOREDIS_MARKERS = ['NativeModule assert', 'NativeModule tls'];

describe('a function at run time', () => {
  let sandbox: Sandbox;
  let redis: RedisServer | undefined;
  let dir: string;
  beforeAll(async () => {
    sandbox = await startSandbox({ host: '127.0.0.1', log: () => {} });
    if (hasRedisServer) redis = await startRedisServer();
    dir = await mkdtemp(join(tmpdir(), 'bundle-runtime-'));
  });
  afterAll(async () => {
    await sandbox?.close();
    await redis?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function speedOn(storeUrl: string): Promise<string[]> {
    const { stdout } = await run(
      process.execPath,
      [
        '-e',
        DRIVER,
        join(distDir(), 'speed', 'index.js'),
        JSON.stringify(apiEvent({ method: 'GET', path: '/speed', apiKey: API_KEY })),
      ],
      {
        env: {
          PATH: process.env.PATH,
          WECHAT_APP_ID: DEMO_ACCOUNTS.service.appid,
          WECHAT_APP_SECRET: DEMO_ACCOUNTS.service.secret,
          WECHAT_API_BASE_URL: sandbox.url,
          STORE_URL: storeUrl,
          API_KEYS: API_KEY,
        },
      },
    );
    const outcome = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(outcome).toMatchObject({ status: 200 });
    return outcome.modules as string[];
  }

  it.each(['memory:', 'file:'])('calls WeChat without loading undici or evaluating ioredis on %s', async (kind) => {
    const modules = await speedOn(kind === 'file:' ? `file:${dir}` : kind);
    expect(modules.filter((m) => /undici|fetch/i.test(m))).toEqual([]);
    expect(modules.filter((m) => IOREDIS_MARKERS.includes(m))).toEqual([]);
    expect(modules).toContain('NativeModule http');
  });

  it.skipIf(!hasRedisServer)('evaluates ioredis on redis:, which is what the markers above detect', async () => {
    const modules = await speedOn(redis!.url);
    expect(modules).toEqual(expect.arrayContaining(IOREDIS_MARKERS));
    expect(modules.filter((m) => /undici/i.test(m))).toEqual([]);
  });

  it.each(functionNames())('%s bundle holds no fetch, undici, FormData or Blob', (name) => {
    const source = readFileSync(join(distDir(), name, 'index.js'), 'utf8');
    expect(source.match(/\bfetch\b|undici|\bFormData\b|\bBlob\b/gi) ?? []).toEqual([]);
  });
});
