import { defineRoute } from '../../http/route';
import type { SendDeps } from '../mass-send';
import type { JobDeps } from '../jobs';
import { SendAcceptedResponse, SendByTagRequest, SendResponse } from '../schemas';
import { sendByTag } from '../send-by-tag';
import { IDEMPOTENCY_KEY_HEADER, SEND_RESPONSES } from './send-common';

/** The routes of the send-by-tag function. */
export const sendByTagRoutes = [
  defineRoute({
    method: 'POST',
    path: '/send-by-tag',
    operationId: 'sendByTag',
    tag: 'send',
    summary: 'Mass send to every follower or to one tag (WeChat sendall)',
    body: SendByTagRequest,
    headers: [IDEMPOTENCY_KEY_HEADER],
    answers: { 200: SendResponse, 202: SendAcceptedResponse },
    responses: {
      ...SEND_RESPONSES,
      202:
        'With a sendAt: stored as a job ({jobId}) and sent when due;' +
        ' or WeChat errcode 89504/89505 (awaiting confirmation).',
    },
    run: (deps: SendDeps & JobDeps, { body, request }) => sendByTag(deps, body, request.headers['idempotency-key']),
  }),
];
