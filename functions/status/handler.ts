import { authenticate } from '../../shared/http/auth';
import { queryParam, type ApiHandler } from '../../shared/http/api-gateway';
import { invalidRequest } from '../../shared/http/json-body';
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
      throw invalidRequest(
        describeIssues(query.error.issues).map((f) => ({ path: `(query) ${f.path}`, reason: f.reason })),
      );
    }
    return { status: 200, body: await getStatus(deps, query.data.msgId) };
  };
}
