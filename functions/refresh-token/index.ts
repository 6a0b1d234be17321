import { buildWeChatDeps, memoize } from '../../shared/runtime';
import { createRefreshTokenHandler } from '../../shared/timer/refresh-token';

// Refresh 15 minutes ahead; the timer runs every 5 minutes (serverless.yml).
const deps = memoize(() => buildWeChatDeps(process.env, { tokenMarginMs: 15 * 60_000 }));

export const main_handler = createRefreshTokenHandler(deps);
