import { authenticate } from '../../shared/http/auth';
import type { ApiHandler } from '../../shared/http/api-gateway';
import { readJsonBody } from '../../shared/http/json-body';
import { requireMethod } from '../../shared/api/route';
import { SendByListRequest } from '../../shared/api/schemas';
import { sendByList } from '../../shared/api/send-by-list';
import type { ApiDeps } from '../../shared/runtime';

/** POST /send-by-list: a mass send to 2 to 10,000 OpenIDs. */
export function createSendByListHandler(deps: ApiDeps): ApiHandler {
  return async (request) => {
    authenticate(request, deps.apiKeys);
    requireMethod(request, 'POST');
    const body = readJsonBody(request, SendByListRequest);
    return sendByList(deps, body, request.headers['idempotency-key']);
  };
}
