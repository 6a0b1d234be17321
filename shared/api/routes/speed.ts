import { defineRoute, ok } from '../../http/route';
import { SpeedRequest, SpeedResponse } from '../schemas';
import { getSpeed, setSpeed, type SpeedDeps } from '../speed';

/** The routes of the speed function: the account's mass-send speed level (0 fastest … 4 slowest). */
export const speedRoutes = [
  defineRoute({
    method: 'GET',
    path: '/speed',
    operationId: 'getSpeed',
    tag: 'speed',
    summary: 'The mass-send speed level and its real speed',
    answers: { 200: SpeedResponse },
    run: async (deps: SpeedDeps) => ok(await getSpeed(deps)),
  }),
  defineRoute({
    method: 'PUT',
    path: '/speed',
    operationId: 'setSpeed',
    tag: 'speed',
    summary: 'Set the mass-send speed level (0 fastest … 4 slowest)',
    body: SpeedRequest,
    answers: { 200: SpeedResponse },
    run: async (deps: SpeedDeps, { body }) => ok(await setSpeed(deps, body.speed)),
  }),
];
