import { memoizeAsync } from '../../shared/runtime/memoize';
import { loadTimerDeps } from '../../shared/runtime/timer';
import { createRefreshTokenHandler } from '../../shared/timer/refresh-token';

// Refresh 15 minutes ahead; the timer runs every 5 minutes (serverless.yml). Strict: a failed
// refresh fails the invocation at once, not only when the current token has run out.
const deps = memoizeAsync(() => loadTimerDeps(process.env, { tokenMarginMs: 15 * 60_000, strictTokenRefresh: true }));

export const main_handler = createRefreshTokenHandler(deps);
