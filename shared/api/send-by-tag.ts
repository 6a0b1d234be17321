import { massSendAll } from '../wechat/endpoints';
import { resolveClientMsgId } from './idempotency';
import { sendMass, type SendAnswer, type SendDeps } from './mass-send';
import { mediaField, toMassMessage } from './message';
import type { Audience, SendByTagRequest } from './schemas';

// is_to_all must be a JSON boolean (the string "true" gets 40008); a send to all enters the
// account's history list and counts against the same quota as a send from the web console.
function toFilter(audience: Audience) {
  return 'all' in audience ? { is_to_all: true } : { is_to_all: false, tag_id: audience.tagId };
}

export function sendByTag(deps: SendDeps, request: SendByTagRequest, idempotencyKey?: string): Promise<SendAnswer> {
  const clientMsgId = resolveClientMsgId(request.clientMsgId, idempotencyKey, {
    route: 'send-by-tag',
    audience: request.audience,
    message: request.message,
  });
  return sendMass(deps, {
    endpoint: massSendAll,
    body: { filter: toFilter(request.audience), ...toMassMessage(request.message) },
    clientMsgId,
    fields: {
      tagId: 'audience.tagId',
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
