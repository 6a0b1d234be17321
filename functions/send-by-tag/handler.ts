import { authenticate } from '../../shared/http/auth';
import type { ApiHandler } from '../../shared/http/api-gateway';
import { readJsonBody } from '../../shared/http/json-body';
import { requireMethod } from '../../shared/api/route';
import { SendByTagRequest } from '../../shared/api/schemas';
import { sendByTag } from '../../shared/api/send-by-tag';
import type { ApiDeps } from '../../shared/runtime';

/** POST /send-by-tag: a mass send to every follower or to one tag. */
export function createSendByTagHandler(deps: ApiDeps): ApiHandler {
  return async (request) => {
    authenticate(request, deps.apiKeys);
    requireMethod(request, 'POST');
    const body = readJsonBody(request, SendByTagRequest);
    return sendByTag(deps, body, request.headers['idempotency-key']);
  };
}
