import { authenticate } from '../../shared/http/auth';
import type { ApiHandler } from '../../shared/http/api-gateway';
import { readJsonBody } from '../../shared/http/json-body';
import { preview } from '../../shared/api/preview';
import { requireMethod } from '../../shared/api/route';
import { PreviewRequest } from '../../shared/api/schemas';
import type { ApiDeps } from '../../shared/runtime';

/** POST /preview: the message to one OpenID or WeChat ID. */
export function createPreviewHandler(deps: ApiDeps): ApiHandler {
  return async (request) => {
    authenticate(request, deps.apiKeys);
    requireMethod(request, 'POST');
    const body = readJsonBody(request, PreviewRequest);
    return { status: 200, body: await preview(deps, body) };
  };
}
