import { redact } from '../redact';

/** WeChat answered (usually HTTP 200) with `errcode ≠ 0`. `body` keeps extra fields, e.g. 45065's msg_id. */
export class WeChatApiError extends Error {
  override readonly name = 'WeChatApiError';
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
    readonly path: string,
    readonly body: Readonly<Record<string, unknown>> = {},
  ) {
    super(redact(`WeChat ${path} failed: errcode ${errcode} (${errmsg})`));
  }
}

export type TransportFailure = 'timeout' | 'network' | 'http_status';

/** No usable answer arrived: a timeout, a refused connection, or an HTTP status other than 200. */
export class WeChatTransportError extends Error {
  override readonly name = 'WeChatTransportError';
  constructor(
    readonly kind: TransportFailure,
    readonly path: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(`WeChat ${path} ${kind === 'http_status' ? `answered HTTP ${status}` : kind}`, options);
  }
}

/** WeChat answered 200 but the body is not JSON or not the shape the endpoint promises. */
export class WeChatResponseError extends Error {
  override readonly name = 'WeChatResponseError';
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(redact(`WeChat ${path} sent a malformed reply: ${reason}`));
  }
}

/**
 * No access token could be had: the token call failed (its WeChat error is the `cause`), or
 * waiting for another container's refresh timed out. The call that needed it never left.
 */
export class AccessTokenError extends Error {
  override readonly name = 'AccessTokenError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(redact(message), options);
  }
}

// 40001 invalid credential, 40014 invalid access_token, 42001 access_token expired.
const TOKEN_INVALID = new Set([40001, 40014, 42001]);

export function isTokenInvalid(err: unknown): err is WeChatApiError {
  return err instanceof WeChatApiError && TOKEN_INVALID.has(err.errcode);
}

export function isWeChatError(err: unknown, ...errcodes: number[]): err is WeChatApiError {
  return err instanceof WeChatApiError && errcodes.includes(err.errcode);
}
