import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDeployment } from '../../local/deployment';
import { distDir } from '../support/dist';
import { type FakeSsm, startFakeSsm } from '../support/fake-ssm';

const root = resolve(import.meta.dirname, '../..');
const deployment = readDeployment(root, { STAGE: 'prod' });

// A value each variable accepts; the secrets are the SSM secret's fields too.
const VALUES: Record<string, string> = {
  WECHAT_APP_ID: 'wx0123456789abcdef',
  WECHAT_APP_SECRET: 'appsecret-0123456789',
  WECHAT_TOKEN_ENDPOINT: 'stable',
  WECHAT_TIMEOUT_MS: '2000',
  STORE_URL: 'memory:',
  API_KEYS: 'api-key-0123456789abcdef',
  WECHAT_TOKEN: 'callback-token-0123',
  WECHAT_TOKEN_PREVIOUS: 'callback-token-0122',
  WECHAT_ENCODING_AES_KEY: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  WECHAT_ENCODING_AES_KEY_PREVIOUS: 'bcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH',
  CALLBACK_TIMESTAMP_WINDOW_SECONDS: '300',
  CALLBACK_MAX_BODY_BYTES: '65536',
  CALLBACK_ACCEPT_PLAIN: 'false',
  NOTIFY_URL: 'http://127.0.0.1:9/notify',
  NOTIFY_SECRET: 'notify-secret-0123',
  MASS_SEND_PER_MINUTE: '60',
  MASS_SEND_PER_DAY: '100',
  WECHAT_SECRET_VERSION: 'v1',
  WECHAT_SECRET_REGION: 'ap-guangzhou',
};
const ROLE = { TENCENTCLOUD_SECRETID: 'AKIDrole0001', TENCENTCLOUD_SECRETKEY: 'role-key-0001' };

// Runs one built function in a fresh process whose process.env records every name read, and
// invokes it once: an API function and the callback without credentials (their configuration
// is read first), the timer with a timer event.
const PROBE = `
const read = new Set();
const env = JSON.parse(process.argv[2]);
process.env = new Proxy(env, {
  get: (t, k) => { if (typeof k === 'string') read.add(k); return t[k]; },
  has: (t, k) => { if (typeof k === 'string') read.add(k); return k in t; },
});
const fn = require(process.argv[1]);
const event = JSON.parse(process.argv[3]);
Promise.resolve(fn.main_handler(event, { request_id: 'probe' }))
  .then((r) => r, (e) => ({ thrown: e && e.name }))
  .then((result) => {
    const vendor = Object.keys(require.cache).some((f) => f.includes('tencentcloud-ssm'));
    process.send({ read: [...read], result, vendor });
  });
`;

function probe(name: string, env: Record<string, string>) {
  const route = deployment.routes.find((r) => r.function === name);
  const event = route
    ? { httpMethod: route.method, path: route.path, headers: {}, queryString: {}, body: '', isBase64Encoded: false }
    : { Type: 'Timer', TriggerName: 'probe', Time: new Date().toISOString(), Message: '' };
  return new Promise<{
    read: string[];
    result: { statusCode?: number; body?: string; thrown?: string; ok?: boolean };
    vendor: boolean;
  }>((done, fail) => {
    const child = spawn(
      process.execPath,
      ['-e', PROBE, join(distDir(), name, 'index.js'), JSON.stringify(env), JSON.stringify(event)],
      {
        env: { PATH: process.env.PATH },
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      },
    );
    child.once('message', (m) => {
      done(m as never);
      child.kill();
    });
    child.once('error', fail);
  });
}

describe('each function reads every variable serverless.yml gives it', () => {
  let ssm: FakeSsm;
  let wechat: Server;
  let wechatUrl: string;
  beforeAll(async () => {
    ssm = await startFakeSsm({ [ROLE.TENCENTCLOUD_SECRETID]: ROLE.TENCENTCLOUD_SECRETKEY });
    ssm.setSecret('wechat-mass-send-api', { WECHAT_APP_SECRET: VALUES.WECHAT_APP_SECRET, API_KEYS: VALUES.API_KEYS });
    ssm.setSecret('wechat-mass-send-callback', {
      WECHAT_TOKEN: VALUES.WECHAT_TOKEN,
      WECHAT_ENCODING_AES_KEY: VALUES.WECHAT_ENCODING_AES_KEY,
      NOTIFY_SECRET: VALUES.NOTIFY_SECRET,
    });
    // The token endpoint for the timer: any AppSecret it is sent gets a token.
    wechat = createServer((_req, res) => res.end(JSON.stringify({ access_token: 'probe-token', expires_in: 7200 })));
    await new Promise<void>((r) => wechat.listen(0, '127.0.0.1', r));
    wechatUrl = `http://127.0.0.1:${(wechat.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await ssm.close();
    await new Promise((r) => wechat.close(r));
  });

  const declared = (name: string) => deployment.functions[name]!.environment;
  const values = (name: string) =>
    Object.fromEntries(declared(name).map((v) => [v, v === 'WECHAT_API_BASE_URL' ? wechatUrl : (VALUES[v] ?? '')]));
  // Configured: the function answered (an API function 401 without a key) or its timer run
  // finished; a missing or malformed variable is a 503 not_configured or a failed run.
  const configured = (result: { statusCode?: number; body?: string; thrown?: string }) =>
    result.thrown === undefined && !String(result.body ?? '').includes('not_configured');

  for (const name of Object.keys(deployment.functions)) {
    it(`${name}: reads each of its variables, from the environment or with an SSM secret`, async () => {
      const fromEnv = await probe(name, { ...values(name), WECHAT_SECRET_NAME: '' });
      expect(configured(fromEnv.result), JSON.stringify(fromEnv.result)).toBe(true);
      expect(fromEnv.vendor, 'the SSM SDK stays unloaded without WECHAT_SECRET_NAME').toBe(false);

      const secretName = name === 'callback' ? 'wechat-mass-send-callback' : 'wechat-mass-send-api';
      const calls = ssm.calls.length;
      const withSsm = await probe(name, {
        ...values(name),
        ...ROLE,
        TENCENTCLOUD_SSM_ENDPOINT: ssm.url,
        WECHAT_SECRET_NAME: secretName,
        // The secret, not the environment, provides these: a stale copy must not be needed.
        WECHAT_APP_SECRET: '',
        API_KEYS: '',
        WECHAT_TOKEN: '',
      });
      expect(configured(withSsm.result), JSON.stringify(withSsm.result)).toBe(true);
      expect(withSsm.vendor).toBe(true);
      expect(ssm.calls.slice(calls).map((c) => [c.action, c.body.SecretName, c.refused])).toEqual([
        ['GetSecretValue', secretName, undefined],
      ]);

      const read = new Set([...fromEnv.read, ...withSsm.read]);
      expect(declared(name).filter((v) => !read.has(v))).toEqual([]);
    });
  }
});
