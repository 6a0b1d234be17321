import { defineRoute } from '../../http/route';
import type { SendDeps } from '../mass-send';
import { AwaitingConfirmationResponse, SendByListRequest, SendResponse } from '../schemas';
import { sendByList } from '../send-by-list';
import { IDEMPOTENCY_KEY_HEADER, SEND_RESPONSES } from './send-common';

/** The routes of the send-by-list function. */
export const sendByListRoutes = [
  defineRoute({
    method: 'POST',
    path: '/send-by-list',
    operationId: 'sendByList',
    tag: 'send',
    summary: 'Mass send to 2 to 10,000 OpenIDs (WeChat send)',
    body: SendByListRequest,
    // 10,000 OpenIDs of 28 characters are about 310 KB of JSON; a message adds a few KB.
    bodyLimit: { bytes: 1024 * 1024, why: 'WeChat takes at most 10,000 OpenIDs (about 310 KB) and one message' },
    headers: [IDEMPOTENCY_KEY_HEADER],
    answers: { 200: SendResponse, 202: AwaitingConfirmationResponse },
    responses: {
      ...SEND_RESPONSES,
      413: 'More than 10,000 distinct OpenIDs: large lists need the job feature, which is not implemented yet.',
    },
    run: (deps: SendDeps, { body, request }) => sendByList(deps, body, request.headers['idempotency-key']),
  }),
];
