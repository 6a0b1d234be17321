import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, configVariables } from '../../../shared/config';
import { redact } from '../../../shared/redact';
import { REREAD_INTERVAL_MS, resetSecretCache, withSecrets } from '../../../shared/secrets/secret-env';
import { createSsmClient } from '../../../shared/secrets/ssm-client';
import { type FakeSsm, startFakeSsm } from '../../support/fake-ssm';

const ROLE = { secretId: 'AKIDrolekey0001', secretKey: 'role-secret-key-0001', token: 'session-token-0001' };
const API_SECRET = { WECHAT_APP_SECRET: 'appsecret-from-ssm-0001', API_KEYS: 'api-key-from-ssm-0000001' };

describe('withSecrets (Tencent Cloud SSM, against a local fake of its API)', () => {
  let ssm: FakeSsm;
  beforeAll(async () => {
    ssm = await startFakeSsm({ [ROLE.secretId]: ROLE.secretKey });
  });
  afterAll(() => ssm.close());
  afterEach(() => {
    resetSecretCache();
    ssm.calls.length = 0;
    ssm.secrets.clear();
  });

  // The SCF environment of a function with an execution role: SCF sets the TENCENTCLOUD_ keys.
  const scfEnv = (extra: Record<string, string> = {}) => ({
    WECHAT_APP_ID: 'wx0123456789abcdef',
    WECHAT_APP_SECRET: 'stale-env-secret',
    WECHAT_SECRET_NAME: 'wechat-mass-send-api',
    WECHAT_SECRET_REGION: 'ap-guangzhou',
    TENCENTCLOUD_SECRETID: ROLE.secretId,
    TENCENTCLOUD_SECRETKEY: ROLE.secretKey,
    TENCENTCLOUD_SESSIONTOKEN: ROLE.token,
    ...extra,
  });
  // The real host name (so the request is signed for ssm.tencentcloudapi.com, service ssm),
  // over plain HTTP through an agent that connects to the fake on loopback.
  const client = (key = ROLE) =>
    createSsmClient({
      credentials: key,
      region: 'ap-guangzhou',
      endpoint: 'http://ssm.tencentcloudapi.com',
      agent: ssm.agent,
      timeoutSeconds: 2,
    });
  const apiVariables = configVariables('wechat', 'store', 'api');

  it('reads the secret with a TC3-signed GetSecretValue and takes the fields from it', async () => {
    ssm.setSecret('wechat-mass-send-api', API_SECRET);
    const { env } = await withSecrets(scfEnv(), apiVariables, { fetchSecret: client() });
    expect(env.WECHAT_APP_SECRET).toBe(API_SECRET.WECHAT_APP_SECRET);
    expect(env.API_KEYS).toBe(API_SECRET.API_KEYS);
    expect(env.WECHAT_APP_ID).toBe('wx0123456789abcdef');
    expect(ssm.calls).toEqual([
      {
        action: 'GetSecretValue',
        region: 'ap-guangzhou',
        secretId: ROLE.secretId,
        service: 'ssm',
        token: ROLE.token,
        body: { SecretName: 'wechat-mass-send-api', VersionId: 'v1' },
      },
    ]);
  });

  it('reads it once per container, whatever the number of invocations', async () => {
    ssm.setSecret('wechat-mass-send-api', API_SECRET);
    const fetchSecret = client();
    await Promise.all([1, 2, 3].map(() => withSecrets(scfEnv(), apiVariables, { fetchSecret })));
    await withSecrets(scfEnv(), apiVariables, { fetchSecret });
    expect(ssm.calls).toHaveLength(1);
  });

  it('reads the version WECHAT_SECRET_VERSION names', async () => {
    ssm.setSecret('wechat-mass-send-api', API_SECRET, 'v2');
    const { env } = await withSecrets(scfEnv({ WECHAT_SECRET_VERSION: 'v2' }), apiVariables, {
      fetchSecret: client(),
    });
    expect(env.API_KEYS).toBe(API_SECRET.API_KEYS);
    expect(ssm.calls[0]!.body).toEqual({ SecretName: 'wechat-mass-send-api', VersionId: 'v2' });
  });

  it('names a required field the secret lacks, and prints no value', async () => {
    ssm.setSecret('wechat-mass-send-api', { API_KEYS: API_SECRET.API_KEYS });
    const failure = await withSecrets(scfEnv(), apiVariables, { fetchSecret: client() }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as ConfigError).problems).toEqual([
      { variable: 'WECHAT_APP_SECRET', reason: 'is missing from SSM secret wechat-mass-send-api' },
    ]);
    expect((failure as Error).message).not.toContain(API_SECRET.API_KEYS);
    expect((failure as Error).message).not.toContain('stale-env-secret');
  });

  it('is not_configured with the SSM error code when the secret cannot be read, and tries again later', async () => {
    const failure = await withSecrets(scfEnv(), apiVariables, { fetchSecret: client() }).catch((e: unknown) => e);
    expect((failure as ConfigError).problems).toEqual([
      { variable: 'WECHAT_SECRET_NAME', reason: 'secret wechat-mass-send-api could not be read (ResourceNotFound)' },
    ]);
    ssm.setSecret('wechat-mass-send-api', API_SECRET);
    const { env } = await withSecrets(scfEnv(), apiVariables, { fetchSecret: client() });
    expect(env.API_KEYS).toBe(API_SECRET.API_KEYS);
  });

  it('is refused by SSM when signed with another key', async () => {
    ssm.setSecret('wechat-mass-send-api', API_SECRET);
    const wrong = client({ ...ROLE, secretKey: 'not-the-role-key' });
    const failure = await withSecrets(scfEnv(), apiVariables, { fetchSecret: wrong }).catch((e: unknown) => e);
    expect((failure as ConfigError).problems[0]!.reason).toMatch(/\(AuthFailure\.SignatureFailure\)$/);
    expect(ssm.calls[0]!.refused).toBe('AuthFailure.SignatureFailure');
  });

  it('refuses a secret that is not a JSON object of strings', async () => {
    ssm.setSecret('wechat-mass-send-api', 'not json');
    const failure = await withSecrets(scfEnv(), apiVariables, { fetchSecret: client() }).catch((e: unknown) => e);
    expect((failure as ConfigError).problems).toEqual([
      { variable: 'WECHAT_SECRET_NAME', reason: 'secret wechat-mass-send-api is not a JSON object of string fields' },
    ]);
  });

  it('names the role keys when the function has no execution role', async () => {
    const env = scfEnv();
    delete (env as Record<string, string | undefined>).TENCENTCLOUD_SECRETID;
    delete (env as Record<string, string | undefined>).TENCENTCLOUD_SECRETKEY;
    const failure = await withSecrets(env, apiVariables).catch((e: unknown) => e);
    expect((failure as ConfigError).problems.map((p) => p.variable)).toEqual([
      'TENCENTCLOUD_SECRETID',
      'TENCENTCLOUD_SECRETKEY',
    ]);
  });

  describe("the secret's region", () => {
    // The SDK the function loads, pointed at the fake (TENCENTCLOUD_SSM_ENDPOINT), as under npm start.
    const regionOf = async (extra: Record<string, string | undefined>) => {
      ssm.setSecret('wechat-mass-send-api', API_SECRET);
      const env: Record<string, string | undefined> = { ...scfEnv(), TENCENTCLOUD_SSM_ENDPOINT: ssm.url, ...extra };
      await withSecrets(env, apiVariables);
      return ssm.calls.map((c) => c.region);
    };

    it("is SCF's own TENCENTCLOUD_REGION when WECHAT_SECRET_REGION is unset or empty", async () => {
      expect(await regionOf({ WECHAT_SECRET_REGION: undefined, TENCENTCLOUD_REGION: 'ap-shanghai' })).toEqual([
        'ap-shanghai',
      ]);
      resetSecretCache();
      expect(await regionOf({ WECHAT_SECRET_REGION: '', TENCENTCLOUD_REGION: 'ap-beijing' })).toEqual([
        'ap-shanghai',
        'ap-beijing',
      ]);
    });

    it('is WECHAT_SECRET_REGION when set, whatever the function runs in', async () => {
      expect(await regionOf({ WECHAT_SECRET_REGION: 'ap-guangzhou', TENCENTCLOUD_REGION: 'ap-shanghai' })).toEqual([
        'ap-guangzhou',
      ]);
    });

    it('is named as missing when neither is set', async () => {
      const failure = await regionOf({ WECHAT_SECRET_REGION: undefined, TENCENTCLOUD_REGION: undefined }).catch(
        (e: unknown) => e,
      );
      expect((failure as ConfigError).problems).toEqual([
        { variable: 'WECHAT_SECRET_REGION', reason: 'is required when WECHAT_SECRET_NAME is set' },
      ]);
      expect(ssm.calls).toHaveLength(0);
    });
  });

  it('gives the callback only its own fields, even from a secret that holds more', async () => {
    ssm.setSecret('wechat-mass-send-callback', { ...API_SECRET, WECHAT_TOKEN: 'callback-token-0001' });
    const { env, rereadAppSecret } = await withSecrets(
      scfEnv({ WECHAT_SECRET_NAME: 'wechat-mass-send-callback' }),
      configVariables('callback', 'store'),
      { fetchSecret: client() },
    );
    expect(env.WECHAT_TOKEN).toBe('callback-token-0001');
    expect(env.API_KEYS).toBeUndefined();
    expect(rereadAppSecret).toBeUndefined();
  });

  it('leaves the environment alone without WECHAT_SECRET_NAME, and never loads the SDK', async () => {
    const env = { WECHAT_APP_SECRET: 'from-env-secret' };
    const result = await withSecrets(env, apiVariables, {
      fetchSecret: () => Promise.reject(new Error('must not be called')),
    });
    expect(result.env).toBe(env);
    expect(ssm.calls).toHaveLength(0);
  });

  it('re-reads the secret for a rotation at most once a minute', async () => {
    ssm.setSecret('wechat-mass-send-api', API_SECRET);
    let now = 1_000_000;
    const { rereadAppSecret } = await withSecrets(scfEnv(), apiVariables, { fetchSecret: client(), now: () => now });
    ssm.setSecret('wechat-mass-send-api', { ...API_SECRET, WECHAT_APP_SECRET: 'rotated-appsecret-0002' });
    expect(await rereadAppSecret!()).toBe('rotated-appsecret-0002');
    now += REREAD_INTERVAL_MS - 1;
    expect(await rereadAppSecret!()).toBeUndefined();
    expect(ssm.calls).toHaveLength(2);
    // The next container-level read gets the rotated value from the cache.
    const { env } = await withSecrets(scfEnv(), apiVariables, { fetchSecret: client() });
    expect(env.WECHAT_APP_SECRET).toBe('rotated-appsecret-0002');
    expect(ssm.calls).toHaveLength(2);
  });

  // WeChat rejects the old AppSecret as soon as it is reset; the new one reaches SSM later.
  it('picks up an AppSecret that reached SSM after an earlier re-read found the old one', async () => {
    ssm.setSecret('wechat-mass-send-api', API_SECRET);
    let now = 1_000_000;
    const { rereadAppSecret } = await withSecrets(scfEnv(), apiVariables, { fetchSecret: client(), now: () => now });
    expect(await rereadAppSecret!()).toBe(API_SECRET.WECHAT_APP_SECRET);
    ssm.setSecret('wechat-mass-send-api', { ...API_SECRET, WECHAT_APP_SECRET: 'rotated-appsecret-0002' });
    now += REREAD_INTERVAL_MS;
    expect(await rereadAppSecret!()).toBe('rotated-appsecret-0002');
  });

  it('keeps every value it read out of anything redacted for a log', async () => {
    ssm.setSecret('wechat-mass-send-api', API_SECRET);
    await withSecrets(scfEnv(), apiVariables, { fetchSecret: client() });
    expect(redact(`token call with ${API_SECRET.WECHAT_APP_SECRET} and ${API_SECRET.API_KEYS}`)).toBe(
      'token call with [REDACTED] and [REDACTED]',
    );
  });
});
