import { randomUUID } from 'node:crypto';
import { HttpError } from './http-error';
import { createLogger, type Logger } from '../log';
import { ConfigError } from '../config';
import { StoreUnavailableError } from '../store/store';

/**
 * Tencent Cloud API Gateway → SCF "integration request" event, the fields this product reads.
 * `queryString` values arrive as a string, an array (repeated keys) or `true` (a bare key).
 * Checked by hand rather than with zod: it runs on every invocation of every function, and a
 * zod record of ten headers cost more than the rest of a warm /status (issue 13's profile).
 */
export interface ApiGatewayEvent {
  httpMethod: string;
  path: string;
  headers?: Record<string, string | undefined> | null;
  queryString?: Record<string, string | string[] | true> | null;
  body?: string | null;
  isBase64Encoded?: boolean;
  requestContext?: { requestId?: string; [key: string]: unknown };
  [key: string]: unknown;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function everyValue(record: Record<string, unknown>, accept: (value: unknown) => boolean): boolean {
  for (const key in record) if (Object.hasOwn(record, key) && !accept(record[key])) return false;
  return true;
}

const isHeaderValue = (v: unknown) => v === undefined || typeof v === 'string';
const isQueryValue = (v: unknown) =>
  typeof v === 'string' || v === true || (Array.isArray(v) && v.every((item) => typeof item === 'string'));

/** The event's shape, or the first field that breaks it. */
export function checkApiGatewayEvent(
  event: unknown,
): { ok: true; event: ApiGatewayEvent } | { ok: false; field: string } {
  if (!isRecord(event)) return { ok: false, field: 'event' };
  const { httpMethod, path, headers, queryString, body, isBase64Encoded, requestContext } = event;
  if (typeof httpMethod !== 'string') return { ok: false, field: 'httpMethod' };
  if (typeof path !== 'string') return { ok: false, field: 'path' };
  if (headers != null && !(isRecord(headers) && everyValue(headers, isHeaderValue)))
    return { ok: false, field: 'headers' };
  if (queryString != null && !(isRecord(queryString) && everyValue(queryString, isQueryValue)))
    return { ok: false, field: 'queryString' };
  if (body != null && typeof body !== 'string') return { ok: false, field: 'body' };
  if (isBase64Encoded !== undefined && typeof isBase64Encoded !== 'boolean')
    return { ok: false, field: 'isBase64Encoded' };
  if (
    requestContext !== undefined &&
    !(
      isRecord(requestContext) &&
      (requestContext.requestId === undefined || typeof requestContext.requestId === 'string')
    )
  )
    return { ok: false, field: 'requestContext' };
  return { ok: true, event: event as ApiGatewayEvent };
}

/** What SCF expects back for an integrated response. */
export interface ApiGatewayResponse {
  isBase64Encoded: boolean;
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export interface ScfContext {
  request_id?: string;
  [key: string]: unknown;
}

export type QueryValue = string | string[] | true;

export interface ApiRequest {
  method: string;
  path: string;
  /** Lower-cased names. */
  headers: Record<string, string>;
  query: Record<string, QueryValue>;
  rawBody: Buffer;
  /** The body as the event carried it, when it was not base64: rawBody is its UTF-8. */
  text?: string;
  requestId: string;
}

export interface ApiResult {
  status: number;
  headers?: Record<string, string>;
  /** Serialised as JSON unless `contentType` says otherwise and the body is a string. */
  body?: unknown;
  contentType?: string;
  /** Added to the invocation's one `request` log line (one line per request, not two). */
  logFields?: Record<string, unknown>;
  /** That line's level: `warn` for a refusal worth a look, `error` for a fault; default `info`. */
  logLevel?: 'info' | 'warn' | 'error';
}

/**
 * An event's request. Its headers are lower-cased, and its body encoded into bytes, the first
 * time they are read: the callback reads neither.
 */
class GatewayRequest implements ApiRequest {
  #headers: Record<string, string> | undefined;
  #rawBody: Buffer | undefined;
  constructor(
    readonly method: string,
    readonly path: string,
    readonly eventHeaders: Record<string, string | undefined>,
    readonly query: Record<string, QueryValue>,
    readonly requestId: string,
    readonly text: string | undefined,
    readonly base64Body: string | undefined,
  ) {}

  get headers(): Record<string, string> {
    if (this.#headers) return this.#headers;
    const headers: Record<string, string> = {};
    const given = this.eventHeaders;
    for (const name in given) {
      const value = Object.hasOwn(given, name) ? given[name] : undefined;
      if (value !== undefined) headers[name.toLowerCase()] = value;
    }
    this.#headers = headers;
    return headers;
  }

  get rawBody(): Buffer {
    this.#rawBody ??=
      this.text === undefined ? Buffer.from(this.base64Body ?? '', 'base64') : Buffer.from(this.text, 'utf8');
    return this.#rawBody;
  }
}

export function toApiRequest(event: unknown, requestId: string): ApiRequest {
  const checked = checkApiGatewayEvent(event);
  if (!checked.ok) throw new HttpError(400, 'bad_event', 'not an API Gateway event');
  const e = checked.event;
  const body = e.body ?? '';
  const base64 = e.isBase64Encoded === true;
  return new GatewayRequest(
    e.httpMethod.toUpperCase(),
    e.path,
    e.headers ?? {},
    e.queryString ?? {},
    requestId,
    base64 ? undefined : body,
    base64 ? body : undefined,
  );
}

// Only lone surrogates change in a UTF-8 round trip (they become U+FFFD): well-formed text comes
// back as it was. String.prototype.isWellFormed (Node 20+) answers at once for Latin-1 text;
// Node 18 looks for any surrogate.
const SURROGATE = /[\uD800-\uDFFF]/;
const isWellFormed: (text: string) => boolean =
  typeof (String.prototype as { isWellFormed?: unknown }).isWellFormed === 'function'
    ? (text) => (text as unknown as { isWellFormed(): boolean }).isWellFormed()
    : (text) => !SURROGATE.test(text);

/** The body as text: `rawBody` decoded as UTF-8, without encoding and decoding it when it came as text. */
export function bodyText(request: ApiRequest): string {
  const { text } = request;
  return text !== undefined && isWellFormed(text) ? text : request.rawBody.toString('utf8');
}

/** A query parameter as one string: the last of repeated values; a bare key reads as "". */
export function queryParam(request: ApiRequest, name: string): string | undefined {
  const value = request.query[name];
  if (value === undefined) return undefined;
  if (value === true) return '';
  return Array.isArray(value) ? value[value.length - 1] : value;
}

/**
 * Every query parameter as one string. A parameter given twice (`?msgId=A&msgId=B`) is a 400:
 * picking one would answer about a send the caller may not have meant.
 */
export function queryParams(request: ApiRequest): Record<string, string> {
  const { query } = request;
  const params: Record<string, string> = {};
  const repeated: [string, string[]][] = [];
  for (const name in query) {
    if (!Object.hasOwn(query, name)) continue;
    const value = query[name] as QueryValue;
    if (Array.isArray(value) && value.length > 1) {
      repeated.push([name, value]);
      continue;
    }
    const text = value === true ? '' : Array.isArray(value) ? (value[0] as string) : value;
    // `?__proto__=x` is a parameter like any other (an own property), never the prototype.
    if (name === '__proto__') Object.defineProperty(params, name, { value: text, enumerable: true, writable: true });
    else params[name] = text;
  }
  if (repeated.length > 0) {
    throw new HttpError(
      400,
      'invalid_request',
      `give each query parameter once: ${repeated.map(([n]) => n).join(', ')}`,
      {
        fields: repeated.map(([name, value]) => ({
          path: `(query) ${name}`,
          reason: `given ${(value as string[]).length} times; give it once`,
        })),
      },
    );
  }
  return params;
}

export function toGatewayResponse(result: ApiResult, requestId: string): ApiGatewayResponse {
  const isText = typeof result.body === 'string' && result.contentType !== undefined;
  return {
    isBase64Encoded: false,
    statusCode: result.status,
    headers: {
      'content-type': isText ? result.contentType! : 'application/json; charset=utf-8',
      'x-request-id': requestId,
      ...result.headers,
    },
    body: isText ? (result.body as string) : result.body === undefined ? '' : JSON.stringify(result.body),
  };
}

/** Every error reply comes from here: 4xx detail is exposed, anything else is logged only. */
export function toErrorResult(err: unknown, requestId: string, log: Logger): ApiResult {
  const known =
    err instanceof StoreUnavailableError
      ? new HttpError(
          503,
          'store_unavailable',
          'the shared store is unavailable, so nothing was done; retry shortly (with the same clientMsgId for a send)',
          {
            headers: { 'retry-after': '5' },
            cause: err,
          },
        )
      : err;
  if (!(known instanceof HttpError)) {
    log.error('unhandled error', { requestId, err });
    return { status: 500, body: { error: { code: 'internal', message: 'internal error', requestId } } };
  }
  if (known.status >= 500) {
    // 5xx of our own making: upstream trouble (502/504), a store outage or missing setup (503).
    log[err instanceof StoreUnavailableError ? 'error' : 'warn']('request failed', {
      requestId,
      status: known.status,
      code: known.code,
      err,
    });
  }
  const { status, code, message, fields, details, headers } = known;
  return {
    status,
    headers,
    body: { error: { code, message, ...(fields && status < 500 ? { fields } : {}), ...details, requestId } },
  };
}

export type ApiHandler = (request: ApiRequest) => Promise<ApiResult>;

/**
 * Turns a typed handler into SCF's `main_handler(event, context)`. `getHandler` is called per
 * invocation, so entry points can build their dependencies lazily, once per container.
 */
export function createScfHandler(
  getHandler: () => { handle: ApiHandler; log: Logger } | Promise<{ handle: ApiHandler; log: Logger }>,
) {
  return async function main_handler(event: unknown, context?: ScfContext): Promise<ApiGatewayResponse> {
    const requestId =
      context?.request_id ?? (event as ApiGatewayEvent | undefined)?.requestContext?.requestId ?? randomUUID();
    let log: Logger | undefined;
    try {
      // A warm container's handler is there already (memoizeAsyncValue): no await for it.
      const got = getHandler();
      const built = got instanceof Promise ? await got : got;
      // requestId goes in the line's fields, where a child logger per request used to put it.
      log = built.log;
      const request = toApiRequest(event, requestId);
      const started = Date.now();
      let result: ApiResult;
      try {
        result = await built.handle(request);
      } catch (err) {
        result = toErrorResult(err, requestId, log);
      }
      log[result.logLevel ?? 'info']('request', {
        requestId,
        ...result.logFields,
        method: request.method,
        path: request.path,
        status: result.status,
        ms: Date.now() - started,
      });
      return toGatewayResponse(result, requestId);
    } catch (err) {
      const fallback = log ?? createLogger({ requestId });
      if (err instanceof ConfigError) {
        // The variable names go to the log; the caller learns only that setup is incomplete.
        fallback.error('function is not configured', { err });
        const notConfigured = new HttpError(503, 'not_configured', 'this function is not configured; see its log');
        return toGatewayResponse(toErrorResult(notConfigured, requestId, fallback), requestId);
      }
      return toGatewayResponse(toErrorResult(err, requestId, fallback), requestId);
    }
  };
}
