import type * as z from 'zod/mini';
import type { ApiRequest } from './api-gateway';
import { HttpError } from './http-error';

/**
 * One route of our HTTP API as data: what it accepts, what it answers and the service it runs.
 * `createApiHandler` (api-function.ts) does everything else in one place: authentication, the
 * 404/405 answers, body and query parsing; scripts/openapi.ts documents the same declarations.
 */

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

type Schema = z.ZodMiniType;

/** A body that is not JSON (an image upload): the service gets the bytes and checks them itself. */
export interface RawBody {
  raw: readonly string[];
  /**
   * An upload (shared/media/upload-input.ts): besides the raw types, a multipart form with the
   * file in `media` and these text fields, or JSON of this schema (`{sourceUrl}`).
   */
  upload?: { json: Schema; formFields: readonly string[] };
}

export const rawBody = (...mediaTypes: string[]): RawBody => ({ raw: mediaTypes });

/** The body of an upload route: the raw file of one of `mediaTypes`, a multipart form, or `{sourceUrl}`. */
export const uploadBody = (
  json: Schema,
  mediaTypes: readonly string[],
  formFields: readonly string[] = [],
): RawBody => ({
  raw: mediaTypes,
  upload: { json, formFields },
});

/** The schema of each successful answer, by HTTP status. */
export type Answers = { [status: number]: Schema };

/** What `run` may answer: one of the declared statuses with a body of its schema. */
export type Answer<A extends Answers> = {
  [S in keyof A & number]: { status: S; body: z.output<A[S]>; headers?: Record<string, string> };
}[keyof A & number];

/** An answer with its status kept as a literal, so `run` type-checks against `answers`. */
export const answer = <const S extends number, B>(status: S, body: B, headers?: Record<string, string>) => ({
  status,
  body,
  ...(headers ? { headers } : {}),
});

/** The 200 answer with `body`. */
export const ok = <B>(body: B) => answer(200, body);

type Parsed<S> = S extends Schema ? z.output<S> : S extends RawBody ? Buffer : undefined;

export interface RouteInput<B, Q, P> {
  body: Parsed<B>;
  query: Parsed<Q>;
  /** The `{name}` segments of the path, decoded (parsed when the route declares `params`). */
  params: P extends Schema ? z.output<P> : Record<string, string>;
  /** Headers (lower-cased names) and everything else a service may need. */
  request: ApiRequest;
}

/**
 * A body size that makes sense for the route: what WeChat accepts there, well below API
 * Gateway's 6 MB, so a 5 MB text message is a clear 413 instead of a send.
 */
export interface BodyLimit {
  bytes: number;
  /** What WeChat accepts on this route, for the 413's message and the OpenAPI document. */
  why: string;
}

export const DEFAULT_BODY_LIMIT: BodyLimit = {
  bytes: 64 * 1024,
  why: 'every request this route accepts fits in a few KB of JSON',
};

/** A documented request header, e.g. Idempotency-Key. */
export interface HeaderParam {
  name: string;
  description: string;
  schema: Record<string, unknown>;
}

export interface RouteSpec<Deps, B, Q, P, A extends Answers> {
  method: Method;
  /** Our path, without the gateway's stage prefix; `{name}` segments are path parameters. */
  path: string;
  /** The OpenAPI operationId: a verb phrase (sendByTag, getStatus). */
  operationId: string;
  /** The OpenAPI tag: usually the function's name. */
  tag: string;
  summary: string;
  /** A JSON body's schema (strict objects: unknown fields are refused), or rawBody(types). */
  body?: B;
  /** The query's schema; use z.object (not strict): unknown parameters are ignored. */
  query?: Q;
  /** The schema of the `{name}` path parameters. */
  params?: P;
  headers?: readonly HeaderParam[];
  /** The largest body this route takes (default DEFAULT_BODY_LIMIT), and why: 413 above it. */
  bodyLimit?: BodyLimit;
  /**
   * The schema of each successful answer: documentation (scripts/openapi.ts) and the type `run`
   * must answer. The function bundles leave it empty (scripts/pure-schemas.ts): nothing reads it.
   */
  answers: A;
  /** What each status means for this route (success or error), beyond the errors every route has. */
  responses?: Readonly<Record<number, string>>;
  run: (deps: Deps, input: RouteInput<B, Q, P>) => Promise<Answer<A>>;
}

/** A declared route with its types erased, as a function's list of routes holds it. */
export interface Route<Deps> {
  method: Method;
  path: string;
  operationId: string;
  tag: string;
  summary: string;
  body?: Schema | RawBody;
  query?: Schema;
  params?: Schema;
  headers?: readonly HeaderParam[];
  bodyLimit?: BodyLimit;
  answers: Answers;
  responses?: Readonly<Record<number, string>>;
  run: (
    deps: Deps,
    input: { body: unknown; query: unknown; params: unknown; request: ApiRequest },
  ) => Promise<{ status: number; body: unknown; headers?: Record<string, string> }>;
}

/**
 * Declares a route; the types of `run`'s input and answer follow from the schemas. Annotate
 * `run`'s `deps` with the narrow dependencies its service needs.
 */
/* @__NO_SIDE_EFFECTS__ */
export function defineRoute<
  Deps,
  A extends Answers,
  B extends Schema | RawBody | undefined = undefined,
  Q extends Schema | undefined = undefined,
  P extends Schema | undefined = undefined,
>(spec: RouteSpec<Deps, B, Q, P, A>): Route<Deps> {
  return spec as unknown as Route<Deps>;
}

export const isRawBody = (body: Schema | RawBody | undefined): body is RawBody =>
  body !== undefined && 'raw' in body && Array.isArray((body as RawBody).raw);

const PARAM = /^\{(\w+)\}$/;

/**
 * The gateway may put a stage or service prefix before our route (`/release/media/news`), so
 * routes match by suffix, ignoring a trailing slash.
 */
export function pathPattern(path: string): RegExp {
  const source = path
    .split(/(\{\w+\})/)
    .map((part) => {
      const param = PARAM.exec(part);
      return param ? `(?<${param[1]}>[^/]+)` : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^(?:/.*)?${source}/*$`);
}

// One compiled pattern per route path, for the container's life: compiling them again on every
// request was a tenth of a warm status request's own time (bench/profile.ts status).
const compiledPatterns = new Map<string, RegExp>();
function patternOf(path: string): RegExp {
  let pattern = compiledPatterns.get(path);
  if (!pattern) {
    pattern = pathPattern(path);
    compiledPatterns.set(path, pattern);
  }
  return pattern;
}

export interface Matched<Deps> {
  route: Route<Deps>;
  params: Record<string, string>;
}

/** The route for this path and method; 404 for an unknown path, 405 with `Allow` for a wrong method. */
export function matchRoute<Deps>(routes: readonly Route<Deps>[], request: ApiRequest): Matched<Deps> {
  const candidates = routes.flatMap((route) => {
    const match = patternOf(route.path).exec(request.path);
    return match ? [{ route, params: { ...match.groups } }] : [];
  });
  if (candidates.length === 0) {
    const paths = [...new Set(routes.map((route) => route.path))];
    throw new HttpError(404, 'not_found', `no such route; use ${paths.join(' or ')}`);
  }
  const found = candidates.find((candidate) => candidate.route.method === request.method);
  if (!found) {
    const allowed = [...new Set(candidates.map((candidate) => candidate.route.method))];
    throw new HttpError(
      405,
      'method_not_allowed',
      `${request.method} is not allowed here; use ${allowed.join(' or ')}`,
      {
        headers: { allow: allowed.join(', ') },
      },
    );
  }
  return found;
}
