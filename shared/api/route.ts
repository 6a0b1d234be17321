import type { ApiRequest } from '../http/api-gateway';
import { HttpError } from '../http/http-error';

/** 405 with `Allow` for any method the function does not serve. */
export function requireMethod(request: ApiRequest, ...allowed: string[]): void {
  if (!allowed.includes(request.method)) {
    throw new HttpError(
      405,
      'method_not_allowed',
      `${request.method} is not allowed here; use ${allowed.join(' or ')}`,
      {
        headers: { allow: allowed.join(', ') },
      },
    );
  }
}

/**
 * The gateway may put a stage or service prefix before our route (`/release/media/news`), so
 * routes are matched by suffix, ignoring a trailing slash.
 */
export function pathEndsWith(request: ApiRequest, suffix: string): boolean {
  const path = request.path.replace(/\/+$/, '');
  return path === suffix || path.endsWith(suffix);
}
