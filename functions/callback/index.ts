import { createScfHandler, queryParams } from '../../shared/http/api-gateway';
import { buildCallbackDeps, memoize } from '../../shared/runtime';

// WeChat's developer URL: no API key here; every request is authenticated by its signature.
const deps = memoize(() => buildCallbackDeps(process.env));

export const main_handler = createScfHandler(() => ({
  log: deps().log,
  handle: async (request) => {
    const reply = await deps().handle({
      method: request.method,
      query: queryParams(request),
      body: request.rawBody.toString('utf8'),
    });
    return { status: reply.status, contentType: reply.contentType, body: reply.body };
  },
}));
