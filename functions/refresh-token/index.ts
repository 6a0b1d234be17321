import { memoize } from '../../shared/runtime/memoize';
import { buildTimerDeps } from '../../shared/runtime/timer';
import { createRefreshTokenHandler } from '../../shared/timer/refresh-token';

// Refresh 15 minutes ahead; the timer runs every 5 minutes (serverless.yml). Strict: a failed
// refresh fails the invocation at once, not only when the current token has run out.
const deps = memoize(() => buildTimerDeps(process.env, { tokenMarginMs: 15 * 60_000, strictTokenRefresh: true }));

export const main_handler = createRefreshTokenHandler(deps);
