import { buildApiDeps, memoize, type ApiDeps } from '../runtime';
import { createScfHandler, type ApiHandler } from './api-gateway';

/**
 * The SCF `main_handler` of an HTTP API function: its dependencies are built from `env` on the
 * first invocation and kept for the container's life; nothing happens at import. Each entry
 * point (functions/<name>/index.ts) passes `process.env` in, so entry points stay the only
 * readers of the environment; it is read when first invoked, not when passed.
 */
export function apiFunction(create: (deps: ApiDeps) => ApiHandler, env: Record<string, string | undefined>) {
  return createScfHandler(
    memoize(() => {
      const deps = buildApiDeps(env);
      return { handle: create(deps), log: deps.log };
    }),
  );
}
