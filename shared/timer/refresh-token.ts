import type { AccessTokenProvider } from '../wechat/access-token';
import { createLogger, type Logger } from '../log';
import { TimerEvent } from './timer-event';

export interface RefreshTokenResult {
  ok: true;
}

/** Thrown so SCF records the invocation as failed and an alarm on failures can fire. */
export class RefreshFailedError extends Error {
  override readonly name = 'RefreshFailedError';
  constructor(readonly reason: string) {
    super(`access token refresh failed: ${reason} (see the log line before this one)`);
  }
}

/**
 * Timer work: keeps the shared access token fresh so no API request waits for a refresh.
 * The provider it is given refreshes inside a wider margin than the API functions use, so the
 * timer, not a user's request, normally pays for the token call.
 */
type RefreshDeps = { tokens: AccessTokenProvider; log: Logger };

export function createRefreshTokenHandler(deps: () => RefreshDeps | Promise<RefreshDeps>) {
  return async function refreshToken(event: unknown): Promise<RefreshTokenResult> {
    const parsed = TimerEvent.safeParse(event);
    let log: Logger = createLogger({ function: 'refresh-token' });
    try {
      const built = await deps();
      log = built.log;
      if (!parsed.success) log.warn('refresh-token invoked without a timer event; refreshing anyway');
      await built.tokens.get();
      log.info('access token checked', { trigger: parsed.data?.TriggerName });
      return { ok: true };
    } catch (err) {
      log.error('access token refresh failed', { err });
      throw new RefreshFailedError(err instanceof Error ? err.name : 'Error');
    }
  };
}
