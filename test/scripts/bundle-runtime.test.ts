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
// modules the process loaded by then (process.moduleLoadList) and which files it required.
const DRIVER = `const [,bundle,event]=process.argv;
require(bundle).main_handler(JSON.parse(event),{request_id:'bundle-runtime'}).then((r)=>{
console.log(JSON.stringify({status:r.statusCode,modules:process.moduleLoadList,files:Object.keys(require.cache)}));
process.exit(0)},
(e)=>{console.log(JSON.stringify({error:String(e)}));process.exit(1)})`;

// ioredis is its own file beside the bundles (scripts/build.ts), required when a Redis store opens;
// its evaluation also loads node:tls, which nothing else needs on plain-HTTP loopback.
const isIoredis = (file: string) => file.endsWith(join('vendor', 'ioredis.js'));

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

  async function speedOn(storeUrl: string, extraEnv: Record<string, string> = {}) {
    const { stdout, stderr } = await run(
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
          ...extraEnv,
        },
      },
    );
    const outcome = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(outcome).toMatchObject({ status: 200 });
    return { modules: outcome.modules as string[], files: outcome.files as string[], output: stdout + stderr };
  }

  it.each(['memory:', 'file:'])('calls WeChat without loading undici or evaluating ioredis on %s', async (kind) => {
    const { modules, files } = await speedOn(kind === 'file:' ? `file:${dir}` : kind);
    expect(modules.filter((m) => /undici|fetch/i.test(m))).toEqual([]);
    expect(files.filter(isIoredis)).toEqual([]);
    expect(modules).not.toContain('NativeModule tls');
    expect(modules).toContain('NativeModule http');
    // The global `performance` would load perf_hooks (node-transport.ts times with process.hrtime).
    expect(modules).not.toContain('NativeModule perf_hooks');
  });

  it.skipIf(!hasRedisServer)('requires the ioredis vendor file on redis:, and nothing of undici', async () => {
    const { modules, files } = await speedOn(redis!.url);
    expect(files.filter(isIoredis)).toHaveLength(1);
    expect(modules).toContain('NativeModule tls');
    expect(modules.filter((m) => /undici/i.test(m))).toEqual([]);
  });

  // The vendor file's `debug` is never enabled (scripts/build.ts): ioredis's debug lines would
  // carry what it sends Redis, the access token among them, into the function's log.
  it.skipIf(!hasRedisServer)('prints no ioredis debug line on redis:, even with DEBUG=ioredis:*', async () => {
    const { output } = await speedOn(redis!.url, { DEBUG: 'ioredis:*', DEBUG_COLORS: 'no' });
    expect(output).not.toMatch(/ioredis:/);
  });

  // Node modules a path may never need (node:http and node:https, node:v8 and node:vm for the
  // jobs' garbage collection, node:dns and node:net for media downloads) load on that path only.
  it.each(functionNames())('%s loads no more of Node at require than node:crypto does', async (name) => {
    const loaded = async (module: string) => {
      const { stdout } = await run(process.execPath, [
        '-e',
        'const before=new Set(process.moduleLoadList);require(process.argv[1]);' +
          'console.log(JSON.stringify(process.moduleLoadList.filter((m)=>!before.has(m))))',
        module,
      ]);
      return JSON.parse(stdout) as string[];
    };
    const [crypto, bundle] = await Promise.all([loaded('node:crypto'), loaded(join(distDir(), name, 'index.js'))]);
    expect(crypto).toContain('NativeModule crypto');
    expect(bundle.filter((m) => !crypto.includes(m))).toEqual([]);
  });

  it.each(functionNames())('%s bundle holds no fetch, undici, FormData or Blob', (name) => {
    const source = readFileSync(join(distDir(), name, 'index.js'), 'utf8');
    expect(source.match(/\bfetch\b|undici|\bFormData\b|\bBlob\b/gi) ?? []).toEqual([]);
  });
});
