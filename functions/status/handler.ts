import { authenticate } from '../../shared/http/auth';
import { queryParam, type ApiHandler } from '../../shared/http/api-gateway';
import { HttpError } from '../../shared/http/http-error';
import { requireMethod } from '../../shared/api/route';
import { StatusQuery } from '../../shared/api/schemas';
import { getStatus } from '../../shared/api/status';
import type { ApiDeps } from '../../shared/runtime';
import { describeIssues } from '../../shared/validation';

/** GET /status?msgId=: WeChat's msg_status and the recorded MASSSENDJOBFINISH report. */
export function createStatusHandler(deps: ApiDeps): ApiHandler {
  return async (request) => {
    authenticate(request, deps.apiKeys);
    requireMethod(request, 'GET');
    const query = StatusQuery.safeParse({ msgId: queryParam(request, 'msgId') });
    if (!query.success) {
      const fields = describeIssues(query.error.issues).map((f) => ({ path: `(query) ${f.path}`, reason: f.reason }));
      throw new HttpError(400, 'invalid_request', `invalid request: ${fields.map((f) => `${f.path} ${f.reason}`).join('; ')}`, { fields });
    }
    return { status: 200, body: await getStatus(deps, query.data.msgId) };
  };
}
