import { createCallbackHandler } from './callback/handle-callback';
import { createNotifier } from './callback/notify';
import { readConfig, type Config } from './config';
import { createLogger, type Logger } from './log';
import { rememberSecret } from './redact';
import { openStore } from './store/open-store';
import type { Store } from './store/store';
import type { HttpTransport } from './transport/transport';
import { createAccessTokenProvider, type AccessTokenProvider } from './wechat/access-token';
import { createWeChatClient, type WeChatClient } from './wechat/client';
import { createTokenFetcher } from './wechat/token-fetcher';

/** A value built on first use and kept for the container's life; `reset` is for tests. */
export function memoize<T>(build: () => T): (() => T) & { reset(): void } {
  let value: { current: T } | undefined;
  const get = () => {
    value ??= { current: build() };
    return value.current;
  };
  return Object.assign(get, { reset: () => (value = undefined) });
}

type Env = Record<string, string | undefined>;

export interface Overrides {
  store?: Store;
  log?: Logger;
  /** Default: the container's node:http(s) transport. */
  transport?: HttpTransport;
  now?: () => number;
  /** How long before expiry the token is refreshed (default 5 minutes). */
  tokenMarginMs?: number;
  /** Fail on a failed refresh even while the current token works (the refresh-token timer). */
  strictTokenRefresh?: boolean;
}

export interface WeChatDeps {
  appId: string;
  store: Store;
  log: Logger;
  tokens: AccessTokenProvider;
  client: WeChatClient;
  now: () => number;
}

export interface ApiDeps extends WeChatDeps {
  apiKeys: string[];
}

function buildWeChat(config: Pick<Config, 'wechat' | 'store'>, overrides: Overrides): WeChatDeps {
  const { wechat } = config;
  const log = overrides.log ?? createLogger();
  const store = overrides.store ?? openStore(config.store.url);
  const now = overrides.now ?? Date.now;
  const transport = { baseUrl: wechat.apiBaseUrl, timeoutMs: wechat.timeoutMs, transport: overrides.transport };
  const tokens = createAccessTokenProvider({
    appId: wechat.appId,
    store,
    now,
    log,
    marginMs: overrides.tokenMarginMs,
    strict: overrides.strictTokenRefresh,
    fetchToken: createTokenFetcher({
      ...transport,
      appId: wechat.appId,
      appSecret: wechat.appSecret,
      kind: wechat.tokenEndpoint,
    }),
  });
  return { appId: wechat.appId, store, log, tokens, now, client: createWeChatClient({ ...transport, tokens, log }) };
}

/** Everything an HTTP API function needs, from the environment. */
export function buildApiDeps(env: Env, overrides: Overrides = {}): ApiDeps {
  const config = readConfig(env, 'wechat', 'store', 'api');
  config.api.keys.forEach(rememberSecret);
  return { ...buildWeChat(config, overrides), apiKeys: config.api.keys };
}

/** The callback needs no AppSecret: only its token, keys and the store for reports. */
export function buildCallbackDeps(env: Env, overrides: Pick<Overrides, 'store' | 'log' | 'now'> = {}) {
  const { callback, store } = readConfig(env, 'callback', 'store');
  [...callback.tokens, ...callback.aesKeys, callback.notify?.secret].forEach(rememberSecret);
  const log = overrides.log ?? createLogger({ function: 'callback' });
  return {
    log,
    handle: createCallbackHandler({
      appId: callback.appId,
      tokens: callback.tokens,
      aesKeys: callback.aesKeys,
      windowSeconds: callback.windowSeconds,
      maxBodyBytes: callback.maxBodyBytes,
      acceptPlain: callback.acceptPlain,
      now: overrides.now ?? Date.now,
      store: overrides.store ?? openStore(store.url),
      notify: callback.notify && createNotifier({ ...callback.notify, log }),
      log,
    }),
  };
}

/** Everything a timer-triggered WeChat job needs. */
export function buildWeChatDeps(env: Env, overrides: Overrides = {}): WeChatDeps {
  return buildWeChat(readConfig(env, 'wechat', 'store'), overrides);
}
