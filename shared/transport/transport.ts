/**
 * The one seam between this product and the network: a request in, a status and the whole
 * body out, within a deadline. Production uses node-transport.ts (node:http/node:https with a
 * keep-alive agent); tests may pass any function of this shape (an undici MockAgent behind it,
 * a recorder). Nothing above this seam knows which HTTP client runs underneath.
 */
export interface HttpRequest {
  method: 'GET' | 'POST';
  url: URL;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** The whole exchange (connecting, sending, the reply to its last byte) must fit in this. */
  timeoutMs: number;
  /** A longer reply fails with kind `too_large` instead of being buffered. */
  maxResponseBytes?: number;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Uint8Array;
}

export type HttpTransport = (request: HttpRequest) => Promise<HttpResponse>;

export type HttpFailure = 'timeout' | 'network' | 'too_large' | 'aborted';

/**
 * No complete reply. `phase` says how far the exchange got: `connect` (TCP or TLS not
 * established, so the server never saw the request) or `response` (the request may have
 * arrived). The message never contains the URL, whose query may carry a token or a secret.
 */
export class HttpTransportError extends Error {
  override readonly name = 'HttpTransportError';
  constructor(
    readonly kind: HttpFailure,
    readonly phase: 'connect' | 'response',
    options?: { cause?: unknown },
  ) {
    super(`HTTP ${kind} during ${phase}`, options);
  }
}

/** WeChat's replies are small JSON documents; anything this large is not one of them. */
export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;
