import { HttpError } from '../http/http-error';
import { massSend } from '../wechat/endpoints';
import { resolveClientMsgId } from './idempotency';
import { sendMass, type SendAnswer, type SendDeps } from './mass-send';
import { mediaField, toMassMessage } from './message';
import { MAX_OPENIDS, type SendByListRequest } from './schemas';
import type { JobAcceptedResponse } from './job-schemas';
import { type JobDeps, sendListAsJob } from './jobs';

/** Duplicates are dropped first; WeChat sends by list to at least 2 (40130 otherwise). */
export function distinctOpenIds(openIds: readonly string[]): string[] {
  const distinct = [...new Set(openIds)];
  if (distinct.length < 2) {
    throw new HttpError(
      400,
      'invalid_request',
      'WeChat sends by list to at least 2 distinct OpenIDs; use /preview for one person',
      {
        fields: [{ path: 'openIds', reason: 'must hold at least 2 distinct OpenIDs' }],
      },
    );
  }
  return distinct;
}

export type ListSendAnswer = SendAnswer | { status: 202; body: JobAcceptedResponse };

/**
 * Up to 10,000 distinct OpenIDs go out at once in one mass/send. A longer list, or any list
 * with a sendAt, becomes a job (jobs.ts): stored in batches, answered 202 with its jobId, sent
 * by the dispatcher within the shared limit.
 */
export async function sendByList(
  deps: SendDeps & JobDeps,
  request: SendByListRequest,
  idempotencyKey?: string,
): Promise<ListSendAnswer> {
  // Sorted: WeChat ignores the order, so the same followers in another order are the same send
  // (one derived clientmsgid, one fingerprint).
  const touser = distinctOpenIds(request.openIds).sort();
  const clientMsgId = resolveClientMsgId(request.clientMsgId, idempotencyKey, {
    route: 'send-by-list',
    openIds: touser,
    message: request.message,
    // The same list at another time is another send.
    ...(request.sendAt === undefined ? {} : { sendAt: request.sendAt }),
  });
  if (touser.length > MAX_OPENIDS || request.sendAt !== undefined) {
    const sendAt = request.sendAt === undefined ? undefined : Date.parse(request.sendAt);
    const body = await sendListAsJob(deps, {
      openIds: touser,
      message: request.message,
      clientMsgId,
      ...(sendAt === undefined ? {} : { sendAt }),
    });
    return { status: 202, body };
  }
  return sendNow(deps, touser, clientMsgId, request);
}

function sendNow(
  deps: SendDeps,
  touser: string[],
  clientMsgId: string,
  request: SendByListRequest,
): Promise<SendAnswer> {
  return sendMass(deps, {
    endpoint: massSend,
    body: { touser, ...toMassMessage(request.message) },
    clientMsgId,
    fields: {
      openId: 'openIds',
      openIds: 'openIds',
      mediaId: mediaField(request.message),
      messageType: 'message.type',
      clientMsgId: 'clientMsgId',
      content: 'message.content',
      title: 'message.title',
      // 45004 ("description size out of limit") is the digest's code in the table.
      digest: 'message.description',
    },
  });
}
