import type { Dispatcher } from 'undici';
import type { Endpoint } from './endpoints';
import { WeChatApiError, WeChatResponseError, WeChatTransportError } from './errors';
import { parseWeChatJson, stringifyWeChatJson } from './json-ids';
import { formatPath } from '../validation';

export interface RequestOptions {
  baseUrl: string;
  timeoutMs: number;
  /** An undici Dispatcher for Node's built-in fetch (tests pass a MockAgent). */
  dispatcher?: Dispatcher;
  accessToken?: string;
}

function buildInit<Req>(endpoint: Endpoint<Req, unknown>, body: Req, url: URL): RequestInit {
  switch (endpoint.encoding) {
    case 'query':
      for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
        url.searchParams.set(key, String(value));
      }
      return { method: endpoint.method };
    case 'json':
      return {
        method: endpoint.method,
        headers: { 'content-type': 'application/json' },
        body: stringifyWeChatJson(body),
      };
    case 'multipart': {
      const form = new FormData();
      for (const [field, file] of Object.entries(
        body as Record<string, { filename: string; contentType: string; data: Uint8Array }>,
      )) {
        form.append(field, new Blob([file.data], { type: file.contentType }), file.filename);
      }
      return { method: endpoint.method, body: form };
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
  const init = buildInit(endpoint, checked.data, url);

  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      ...init,
      signal: AbortSignal.timeout(options.timeoutMs),
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    } as RequestInit);
    text = await response.text();
  } catch (err) {
    const timedOut = err instanceof DOMException && err.name === 'TimeoutError';
    throw new WeChatTransportError(timedOut ? 'timeout' : 'network', path, undefined, {
      cause: err instanceof Error ? new Error(err.message) : undefined,
    });
  }
  if (response.status !== 200) {
    throw new WeChatTransportError('http_status', path, response.status);
  }

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
