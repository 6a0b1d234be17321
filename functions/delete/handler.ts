import { authenticate } from '../../shared/http/auth';
import type { ApiHandler } from '../../shared/http/api-gateway';
import { readJsonBody } from '../../shared/http/json-body';
import { deleteMassMessage } from '../../shared/api/delete';
import { requireMethod } from '../../shared/api/route';
import { DeleteRequest } from '../../shared/api/schemas';
import type { ApiDeps } from '../../shared/runtime';

/** POST /delete: a sent mpnews or video, by msgId (optionally one article) or by article URL. */
export function createDeleteHandler(deps: ApiDeps): ApiHandler {
  return async (request) => {
    authenticate(request, deps.apiKeys);
    requireMethod(request, 'POST');
    const body = readJsonBody(request, DeleteRequest);
    return { status: 200, body: await deleteMassMessage(deps, body) };
  };
}
