import { defineRoute } from '../../http/route';
import type { SendDeps } from '../mass-send';
import type { JobDeps } from '../jobs';
import { SendAcceptedResponse, SendByListRequest, SendResponse } from '../schemas';
import { sendByList } from '../send-by-list';
import { IDEMPOTENCY_KEY_HEADER, SEND_RESPONSES } from './send-common';

/** The routes of the send-by-list function. */
export const sendByListRoutes = [
  defineRoute({
    method: 'POST',
    path: '/send-by-list',
    operationId: 'sendByList',
    tag: 'send',
    summary: 'Mass send to an OpenID list: up to 10,000 at once (WeChat send), longer lists or a sendAt as a job',
    body: SendByListRequest,
    // 10,000 OpenIDs of 28 characters are about 310 KB of JSON; a message adds a few KB.
    bodyLimit: {
      bytes: 6 * 1024 * 1024,
      why:
        'a list over 10,000 OpenIDs becomes a job; API Gateway and SCF ' +
        'take 6 MB (about 190,000 OpenIDs), build longer lists with /jobs',
    },
    headers: [IDEMPOTENCY_KEY_HEADER],
    answers: { 200: SendResponse, 202: SendAcceptedResponse },
    responses: {
      ...SEND_RESPONSES,
      202:
        'Over 10,000 distinct OpenIDs, or a sendAt: stored as a job ({jobId, batches}) and ' +
        'sent by the dispatcher; or WeChat errcode 89504/89505 (awaiting confirmation).',
    },
    run: (deps: SendDeps & JobDeps, { body, request }) => sendByList(deps, body, request.headers['idempotency-key']),
  }),
];
