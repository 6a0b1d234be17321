import { defineRoute, ok } from '../../http/route';
import { StatusQuery, StatusResponse } from '../schemas';
import { getStatus, type StatusDeps } from '../status';

/** The routes of the status function. */
export const statusRoutes = [
  defineRoute({
    method: 'GET',
    path: '/status',
    operationId: 'getStatus',
    tag: 'status',
    summary: "WeChat's msg_status and the recorded MASSSENDJOBFINISH report",
    query: StatusQuery,
    answers: { 200: StatusResponse },
    responses: { 404: 'WeChat errcode 40059: unknown msgId.' },
    run: async (deps: StatusDeps, { query }) => ok(await getStatus(deps, query.msgId)),
  }),
];
