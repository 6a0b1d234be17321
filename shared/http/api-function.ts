import { type ApiDeps, loadApiDeps } from '../runtime/api';
import { memoizeAsyncValue } from '../runtime/memoize';
import { describeIssues } from '../validation';
import { createScfHandler, queryParams, type ApiHandler, type ApiRequest } from './api-gateway';
import { authenticate } from './auth';
import { invalidRequest, readJsonBody } from './json-body';
import { HttpError } from './http-error';
import { DEFAULT_BODY_LIMIT, isRawBody, matchRoute, type BodyLimit, type Route } from './route';
import { humanBytes } from './sizes';
import type * as z from 'zod/mini';

function parseWith(schema: z.ZodMiniType, value: unknown, where: string): unknown {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw invalidRequest(
      describeIssues(result.error.issues).map((f) => ({ path: `(${where}) ${f.path}`, reason: f.reason })),
    );
  }
  return result.data;
}

function decodeParams(params: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(params).map(([name, value]) => {
      try {
        return [name, decodeURIComponent(value)];
      } catch {
        throw invalidRequest([{ path: `(path) ${name}`, reason: 'is not valid percent-encoding' }]);
      }
    }),
  );
}

function checkBodySize(request: ApiRequest, limit: BodyLimit): void {
  const size = request.rawBody.length;
  if (size <= limit.bytes) return;
  throw new HttpError(
    413,
    'body_too_large',
    `the body is ${humanBytes(size)}; this route takes at most ${humanBytes(limit.bytes)}: ${limit.why}`,
    {
      fields: [
        { path: '(body)', reason: `is ${humanBytes(size)}, over the ${humanBytes(limit.bytes)} this route takes` },
      ],
    },
  );
}

/**
 * The one place every API request goes through: the API key first (so no route can forget
 * it and nothing is parsed for a stranger), then the route (404, or 405 with `Allow`), then
 * the path, query and body against the route's schemas (400 naming every field), then the
 * route's service. Errors become answers in createScfHandler.
 */
export function createApiHandler<Deps extends { apiKeys: readonly string[] }>(
  routes: readonly Route<Deps>[],
  deps: Deps,
): ApiHandler {
  return async (request: ApiRequest) => {
    authenticate(request, deps.apiKeys);
    const { route, params } = matchRoute(routes, request);
    checkBodySize(request, route.bodyLimit ?? DEFAULT_BODY_LIMIT);
    const decoded = decodeParams(params);
    const input = {
      params: route.params ? parseWith(route.params, decoded, 'path') : decoded,
      query: route.query ? parseWith(route.query, queryParams(request), 'query') : undefined,
      body: isRawBody(route.body) ? request.rawBody : route.body ? readJsonBody(request, route.body) : undefined,
      request,
    };
    return route.run(deps, input);
  };
}

/**
 * The SCF `main_handler` of an HTTP API function serving `routes`: its dependencies are built
 * from `env` (and the SSM secret, when WECHAT_SECRET_NAME is set) on the first invocation and
 * kept for the container's life; nothing happens at import. Each entry point
 * (functions/<name>/index.ts) passes `process.env` in, so entry points stay the only readers of
 * the environment; it is read when first invoked, not when passed.
 */
export function apiFunction(routes: readonly Route<ApiDeps>[], env: Record<string, string | undefined>) {
  return createScfHandler(
    memoizeAsyncValue(async () => {
      const deps = await loadApiDeps(env);
      return { handle: createApiHandler(routes, deps), log: deps.log };
    }),
  );
}
