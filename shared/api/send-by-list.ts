import { HttpError } from '../http/http-error';
import { massSend } from '../wechat/endpoints';
import { resolveClientMsgId } from './idempotency';
import { sendMass, type SendAnswer, type SendDeps } from './mass-send';
import { mediaField, toMassMessage } from './message';
import { MAX_OPENIDS, type SendByListRequest } from './schemas';

/** WeChat takes 2 to 10,000 OpenIDs per send (40130 otherwise); duplicates are dropped first. */
export function distinctOpenIds(openIds: readonly string[]): string[] {
  const distinct = [...new Set(openIds)];
  if (distinct.length > MAX_OPENIDS) {
    throw new HttpError(
      413,
      'too_many_openids',
      `a send takes at most ${MAX_OPENIDS.toLocaleString('en')} distinct OpenIDs, this one has ${distinct.length.toLocaleString('en')}; larger lists need the job feature, which is not implemented yet`,
      {
        fields: [{ path: 'openIds', reason: `must hold at most ${MAX_OPENIDS} distinct OpenIDs` }],
      },
    );
  }
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

export function sendByList(deps: SendDeps, request: SendByListRequest, idempotencyKey?: string): Promise<SendAnswer> {
  // Sorted: WeChat ignores the order, so the same followers in another order are the same send
  // (one derived clientmsgid, one fingerprint).
  const touser = distinctOpenIds(request.openIds).sort();
  const clientMsgId = resolveClientMsgId(request.clientMsgId, idempotencyKey, {
    route: 'send-by-list',
    openIds: touser,
    message: request.message,
  });
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
