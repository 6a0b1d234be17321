import { defineRoute, ok } from '../../http/route';
import { StatusAnswer, StatusQuery } from '../schemas';
import { getSendStatus, getStatus, type StatusDeps } from '../status';

/** The routes of the status function. */
export const statusRoutes = [
  defineRoute({
    method: 'GET',
    path: '/status',
    operationId: 'getStatus',
    tag: 'status',
    summary:
      'A send by msgId (from the recorded MASSSENDJOBFINISH once it is in, else WeChat) or by clientMsgId (its record)',
    query: StatusQuery,
    answers: { 200: StatusAnswer },
    responses: {
      404: 'msgId: WeChat errcode 40059, unknown msgId. clientMsgId: no send with it in the last 24 hours.',
    },
    run: async (deps: StatusDeps, { query }) =>
      ok(
        query.clientMsgId !== undefined
          ? await getSendStatus(deps, query.clientMsgId)
          : await getStatus(deps, query.msgId!),
      ),
  }),
];
