/**
 * What one cold container of the token stampede runs: bundled by bench/token-stampede.ts as a
 * function is shipped (scripts/build.ts `bundleAsShipped`, with the ioredis vendor file).
 */
export { createRedisStore } from '../shared/store/redis-store';
export { createAccessTokenProvider } from '../shared/wechat/access-token';
export { createTokenFetcher } from '../shared/wechat/token-fetcher';
