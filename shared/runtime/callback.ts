import { createCallbackHandler } from '../callback/handle-callback';
import { createNotifier } from '../callback/notify';
import { configVariables, readConfig } from '../config';
import { createScfHandler } from '../http/api-gateway';
import { createLogger, type Logger } from '../log';
import { rememberSecret } from '../redact';
import { withSecrets } from '../secrets/secret-env';
import { openStore } from '../store/open-store';
import type { Store } from '../store/store';
import { type Env, memoizeAsyncValue } from './memoize';

const CALLBACK_STORE_TIMEOUT_MS = 1_000;

/**
 * WeChat's developer URL needs no AppSecret and no API keys: only its token, its keys and the
 * store for reports. Nothing here reaches the WeChat API, so the callback's bundle carries no
 * endpoint or token code (a test reads the bundle).
 */
export function buildCallbackDeps(env: Env, overrides: { store?: Store; log?: Logger; now?: () => number } = {}) {
  const { callback, store } = readConfig(env, 'callback', 'store');
  [...callback.tokens, ...callback.aesKeys, callback.notify?.secret].forEach(rememberSecret);
  const log = overrides.log ?? createLogger({ function: 'callback' });
  return {
    log,
    handle: createCallbackHandler({
      appId: callback.appId,
      originalId: callback.originalId,
      tokens: callback.tokens,
      aesKeys: callback.aesKeys,
      windowSeconds: callback.windowSeconds,
      maxBodyBytes: callback.maxBodyBytes,
      acceptPlain: callback.acceptPlain,
      now: overrides.now ?? Date.now,
      // WeChat waits 5 s for the answer: a stalled store must fail well before that.
      store: overrides.store ?? openStore(store.url, { commandTimeoutMs: CALLBACK_STORE_TIMEOUT_MS }),
      notify: callback.notify && createNotifier({ ...callback.notify, log }),
      log,
    }),
  };
}

/**
 * The callback's SCF `main_handler`: built from `env` (and the callback's SSM secret, when
 * WECHAT_SECRET_NAME is set) at the first invocation, once per container.
 */
export function callbackFunction(env: Env) {
  return createScfHandler(
    memoizeAsyncValue(async () =>
      buildCallbackDeps((await withSecrets(env, configVariables('callback', 'store'))).env),
    ),
  );
}
