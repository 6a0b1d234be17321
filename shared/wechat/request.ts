import type { Endpoint, MediaFile } from './endpoints';
import { WeChatApiError, WeChatResponseError, WeChatTransportError } from './errors';
import { parseWeChatJson, stringifyWeChatJson } from './json-ids';
import { encodeMultipart, type FilePart } from '../transport/multipart';
import { defaultTransport } from '../transport/node-transport';
import {
  DEFAULT_MAX_RESPONSE_BYTES,
  HttpTransportError,
  type HttpRequest,
  type HttpTransport,
} from '../transport/transport';
import { formatPath } from '../validation';

export interface RequestOptions {
  baseUrl: string;
  timeoutMs: number;
  /** For multipart uploads instead of timeoutMs (default: timeoutMs). */
  uploadTimeoutMs?: number;
  /** Default: the container's node:http(s) transport (tests pass their own). */
  transport?: HttpTransport;
  accessToken?: string;
}

function buildRequest<Req>(endpoint: Endpoint<Req, unknown>, body: Req, url: URL, timeoutMs: number): HttpRequest {
  switch (endpoint.encoding) {
    case 'query':
      for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
        url.searchParams.set(key, String(value));
      }
      return { method: endpoint.method, url, timeoutMs };
    case 'json':
      return {
        method: endpoint.method,
        url,
        timeoutMs,
        headers: { 'content-type': 'application/json' },
        body: stringifyWeChatJson(body),
      };
    case 'multipart': {
      // Files become file parts, strings text parts (add_material's `description`); the fields
      // the endpoint names in `query` (the media `type`) go in the query string as WeChat wants.
      const parts: Record<string, FilePart | string> = {};
      for (const [field, value] of Object.entries(body as Record<string, string | MediaFile | undefined>)) {
        if (value === undefined) continue;
        if (endpoint.query?.includes(field)) url.searchParams.set(field, String(value));
        else parts[field] = value;
      }
      const form = encodeMultipart(parts);
      return {
        method: endpoint.method,
        url,
        timeoutMs,
        headers: { 'content-type': form.contentType },
        body: form.body,
      };
    }
  }
}

/**
 * The one place a WeChat reply becomes a value or an error. It never retries: whether a
 * failed call may be repeated is the caller's decision (a mass send may not).
 * Error messages name the endpoint's path only, never the URL, which carries the token or the
 * AppSecret in its query.
 */
export async function requestWeChat<Req, Res>(
  endpoint: Endpoint<Req, Res>,
  body: Req,
  options: RequestOptions,
): Promise<Res> {
  const { path } = endpoint;
  const checked = endpoint.request.safeParse(body);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new TypeError(`request to ${path} is invalid at ${formatPath(issue?.path ?? [])}: ${issue?.message}`);
  }
  const url = new URL(path, options.baseUrl);
  if (endpoint.auth === 'access_token') {
    if (!options.accessToken) throw new TypeError(`${path} needs an access token`);
    url.searchParams.set('access_token', options.accessToken);
  }
  const timeoutMs =
    endpoint.encoding === 'multipart' ? (options.uploadTimeoutMs ?? options.timeoutMs) : options.timeoutMs;
  const request = buildRequest(endpoint, checked.data, url, timeoutMs);

  let reply: { status: number; body: Uint8Array };
  try {
    reply = await (options.transport ?? defaultTransport())(request);
  } catch (err) {
    if (err instanceof HttpTransportError && err.kind === 'too_large') {
      throw new WeChatResponseError(path, `reply over ${DEFAULT_MAX_RESPONSE_BYTES} bytes`);
    }
    const timedOut = err instanceof HttpTransportError && err.kind === 'timeout';
    throw new WeChatTransportError(timedOut ? 'timeout' : 'network', path, undefined, {
      cause: err instanceof HttpTransportError ? err : err instanceof Error ? new Error(err.message) : undefined,
    });
  }
  if (reply.status !== 200) {
    throw new WeChatTransportError('http_status', path, reply.status);
  }
  const text = Buffer.from(reply.body.buffer, reply.body.byteOffset, reply.body.byteLength).toString('utf8');

  let json: unknown;
  try {
    json = parseWeChatJson(text);
  } catch {
    throw new WeChatResponseError(path, 'not JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new WeChatResponseError(path, 'not a JSON object');
  }
  const record = json as Record<string, unknown>;
  if (record.errcode !== undefined && record.errcode !== 0) {
    if (typeof record.errcode !== 'number') throw new WeChatResponseError(path, 'errcode is not a number');
    throw new WeChatApiError(record.errcode, String(record.errmsg ?? ''), path, record);
  }
  const parsed = endpoint.response.safeParse(record);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new WeChatResponseError(path, `${formatPath(issue?.path ?? [])}: ${issue?.message}`);
  }
  return parsed.data;
}
