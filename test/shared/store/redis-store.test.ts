import { redisStoreSuites } from './redis-store-suite';

redisStoreSuites('ioredis from node_modules');
