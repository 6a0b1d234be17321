import { massSendAll } from '../wechat/endpoints';
import { resolveClientMsgId } from './idempotency';
import { sendMass, type SendAnswer, type SendDeps } from './mass-send';
import { mediaField, toMassMessage } from './message';
import type { Audience, SendByTagRequest } from './schemas';
import type { JobAcceptedResponse } from './job-schemas';
import { type JobDeps, scheduleTagSend } from './jobs';

// is_to_all must be a JSON boolean (the string "true" gets 40008); a send to all enters the
// account's history list and counts against the same quota as a send from the web console.
function toFilter(audience: Audience) {
  return 'all' in audience ? { is_to_all: true } : { is_to_all: false, tag_id: audience.tagId };
}

/** Now, or with a sendAt stored as a job and sent by the dispatcher when due (202). */
export async function sendByTag(
  deps: SendDeps & JobDeps,
  request: SendByTagRequest,
  idempotencyKey?: string,
): Promise<SendAnswer | { status: 202; body: JobAcceptedResponse }> {
  const clientMsgId = resolveClientMsgId(request.clientMsgId, idempotencyKey, {
    route: 'send-by-tag',
    audience: request.audience,
    message: request.message,
    // The same send at another time is another send.
    ...(request.sendAt === undefined ? {} : { sendAt: request.sendAt }),
  });
  if (request.sendAt !== undefined) {
    const body = await scheduleTagSend(deps, {
      audience: request.audience,
      message: request.message,
      clientMsgId,
      sendAt: Date.parse(request.sendAt),
    });
    return { status: 202, body };
  }
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
