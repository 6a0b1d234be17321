import { createScfHandler } from '../../shared/http/api-gateway';
import { buildApiDeps, memoize } from '../../shared/runtime';
import { createDeleteHandler } from './handler';

// Built on the first invocation and kept for the container's life; nothing happens at import.
const handler = memoize(() => {
  const deps = buildApiDeps(process.env);
  return { handle: createDeleteHandler(deps), log: deps.log };
});

export const main_handler = createScfHandler(handler);
