import { readConfig } from '../config';
import { rememberSecret } from '../redact';
import type { Env } from './memoize';
import { buildWeChat, type Overrides, type WeChatDeps } from './wechat';

/** Everything an HTTP API function's routes may use; each route's service picks what it needs. */
export interface ApiDeps extends WeChatDeps {
  apiKeys: string[];
}

/** The dependencies of an HTTP API function, from the environment. */
export function buildApiDeps(env: Env, overrides: Overrides = {}): ApiDeps {
  const config = readConfig(env, 'wechat', 'store', 'api');
  config.api.keys.forEach(rememberSecret);
  return { ...buildWeChat(config, overrides), apiKeys: config.api.keys };
}
