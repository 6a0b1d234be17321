import { configVariables, readConfig } from '../config';
import type { DispatcherDeps } from '../jobs/dispatcher';
import { createLogger } from '../log';
import { withSecrets } from '../secrets/secret-env';
import type { Env } from './memoize';
import { buildWeChat, type Overrides, type WeChatDeps } from './wechat';

/** The dependencies of a timer-triggered function that calls WeChat (no API keys). */
export function buildTimerDeps(env: Env, overrides: Overrides = {}): WeChatDeps {
  return buildWeChat(readConfig(env, 'wechat', 'store'), overrides);
}

/** The dispatcher: WeChat, the store and the shared mass-send limit. */
export function buildDispatcherDeps(env: Env, overrides: Overrides = {}): DispatcherDeps {
  const wechat = buildTimerDeps(env, { ...overrides, log: overrides.log ?? createLogger({ function: 'dispatcher' }) });
  return { ...wechat, limit: wechat.massSendLimit };
}

/** buildTimerDeps after the SSM secret, when WECHAT_SECRET_NAME is set, has filled in the AppSecret. */
export async function loadTimerDeps(env: Env, overrides: Overrides = {}): Promise<WeChatDeps> {
  const { env: resolved, rereadAppSecret } = await withSecrets(env, configVariables('wechat', 'store'));
  return buildTimerDeps(resolved, { ...overrides, rereadAppSecret });
}

/** buildDispatcherDeps after the SSM secret, when WECHAT_SECRET_NAME is set, has filled in the AppSecret. */
export async function loadDispatcherDeps(env: Env, overrides: Overrides = {}): Promise<DispatcherDeps> {
  const { env: resolved, rereadAppSecret } = await withSecrets(env, configVariables('wechat', 'store'));
  return buildDispatcherDeps(resolved, { ...overrides, rereadAppSecret });
}
