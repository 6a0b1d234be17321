/**
 * Why a `sourceUrl` download was refused (download.ts). A module of its own, without download.ts's
 * node:https, node:dns and node:net, so the media function loads those only when it downloads.
 */
export type DownloadRefusal =
  | 'invalid_url'
  | 'scheme'
  | 'credentials'
  | 'unresolvable'
  | 'blocked_address'
  | 'redirect'
  | 'http_status'
  | 'too_large'
  | 'timeout'
  | 'network';

export class DownloadError extends Error {
  override readonly name = 'DownloadError';
  constructor(
    readonly reason: DownloadRefusal,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
