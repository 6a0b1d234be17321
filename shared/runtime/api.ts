import { configVariables, readConfig } from '../config';
import { createScfHandOff, type HandOff, noHandOff } from '../jobs/hand-off';
import { rememberSecret } from '../redact';
import { withSecrets } from '../secrets/secret-env';
import type { Env } from './memoize';
import { buildWeChat, type Overrides, type WeChatDeps } from './wechat';

/** Everything an HTTP API function's routes may use; each route's service picks what it needs. */
export interface ApiDeps extends WeChatDeps {
  apiKeys: string[];
  /** Hands a started job to the dispatcher at once (SCF Invoke); the timer is the fallback. */
  handOff: HandOff;
}

/** The dependencies of an HTTP API function, from the environment. */
export function buildApiDeps(env: Env, overrides: Overrides & { handOff?: HandOff } = {}): ApiDeps {
  const config = readConfig(env, 'wechat', 'store', 'api', 'dispatch');
  config.api.keys.forEach(rememberSecret);
  const wechat = buildWeChat(config, overrides);
  const { dispatch } = config;
  for (const secret of [dispatch.secretKey, dispatch.sessionToken]) if (secret) rememberSecret(secret);
  const handOff =
    overrides.handOff ??
    (dispatch.functionName && dispatch.region && dispatch.secretId && dispatch.secretKey
      ? createScfHandOff({
          functionName: dispatch.functionName,
          namespace: dispatch.namespace,
          region: dispatch.region,
          endpoint: dispatch.endpoint,
          credentials: {
            secretId: dispatch.secretId,
            secretKey: dispatch.secretKey,
            ...(dispatch.sessionToken ? { token: dispatch.sessionToken } : {}),
          },
          log: wechat.log,
        })
      : noHandOff);
  return { ...wechat, apiKeys: config.api.keys, handOff };
}

/** buildApiDeps after the SSM secret, when WECHAT_SECRET_NAME is set, has filled in the secrets. */
export async function loadApiDeps(env: Env, overrides: Overrides = {}): Promise<ApiDeps> {
  const { env: resolved, rereadAppSecret } = await withSecrets(
    env,
    configVariables('wechat', 'store', 'api', 'dispatch'),
  );
  return buildApiDeps(resolved, { ...overrides, rereadAppSecret });
}
