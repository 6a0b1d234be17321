import { readConfig } from '../config';
import type { Env } from './memoize';
import { buildWeChat, type Overrides, type WeChatDeps } from './wechat';

/** The dependencies of a timer-triggered function that calls WeChat (no API keys). */
export function buildTimerDeps(env: Env, overrides: Overrides = {}): WeChatDeps {
  return buildWeChat(readConfig(env, 'wechat', 'store'), overrides);
}
