import type { Config } from '../config';
import { createLogger, type Logger } from '../log';
import { openStore } from '../store/open-store';
import type { Store } from '../store/store';
import type { HttpTransport } from '../transport/transport';
import { createAccessTokenProvider, type AccessTokenProvider } from '../wechat/access-token';
import { createWeChatClient, type WeChatClient } from '../wechat/client';
import { createTokenFetcher } from '../wechat/token-fetcher';
import { createMassSendLimit, type MassSendLimit } from '../jobs/mass-send-limit';

/**
 * The WeChat side of the functions that call WeChat (the API and the timers): the shared
 * store, the access-token provider and the client. The callback never imports this module,
 * so its bundle carries no endpoint, token or client code.
 */

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
  /** Reads the AppSecret again when WeChat rejects it (SSM secrets: shared/secrets/). */
  rereadAppSecret?: () => Promise<string | undefined>;
}

export interface WeChatDeps {
  appId: string;
  store: Store;
  log: Logger;
  tokens: AccessTokenProvider;
  client: WeChatClient;
  now: () => number;
  /** The account's 60 mass-send calls a minute and 100 a day, shared by every function. */
  massSendLimit: MassSendLimit;
}

export function buildWeChat(config: Pick<Config, 'wechat' | 'store'>, overrides: Overrides): WeChatDeps {
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
      rereadAppSecret: overrides.rereadAppSecret,
    }),
  });
  return {
    appId: wechat.appId,
    store,
    log,
    tokens,
    now,
    client: createWeChatClient({ ...transport, uploadTimeoutMs: wechat.uploadTimeoutMs, tokens, log }),
    massSendLimit: createMassSendLimit({
      store,
      appId: wechat.appId,
      now,
      perMinute: wechat.massSendPerMinute,
      perDay: wechat.massSendPerDay,
    }),
  };
}
