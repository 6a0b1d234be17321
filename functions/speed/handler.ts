import { authenticate } from '../../shared/http/auth';
import type { ApiHandler } from '../../shared/http/api-gateway';
import { readJsonBody } from '../../shared/http/json-body';
import { requireMethod } from '../../shared/api/route';
import { SpeedRequest } from '../../shared/api/schemas';
import { getSpeed, setSpeed } from '../../shared/api/speed';
import type { ApiDeps } from '../../shared/runtime';

/** GET /speed and PUT /speed: the account's mass-send speed level (0 fastest … 4 slowest). */
export function createSpeedHandler(deps: ApiDeps): ApiHandler {
  return async (request) => {
    authenticate(request, deps.apiKeys);
    requireMethod(request, 'GET', 'PUT');
    if (request.method === 'GET') return { status: 200, body: await getSpeed(deps) };
    const { speed } = readJsonBody(request, SpeedRequest);
    return { status: 200, body: await setSpeed(deps, speed) };
  };
}
