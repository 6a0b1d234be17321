import type { HeaderParam } from '../../http/route';

/** What both mass-send routes document beyond the errors every route has. */

export const IDEMPOTENCY_KEY_HEADER: HeaderParam = {
  name: 'Idempotency-Key',
  description:
    'Used when the body has no clientMsgId: the clientmsgid is derived from it ' +
    '(SHA-256), so retries with the same key send once. 1 to 255 characters.',
  schema: { type: 'string', minLength: 1, maxLength: 255 },
};

export const SEND_RESPONSES = {
  200:
    'Sent, or already sent with this clientMsgId (`duplicate: true`, WeChat errcode ' +
    '45065 or our own record). Without clientMsgId and Idempotency-Key the ' +
    'clientMsgId is a digest of the request, so the same request twice sends once.',
  202:
    'WeChat errcode 89504/89505: an administrator must confirm the send (API mass-send protection, 30 ' +
    'minutes). Repeat the same request with the same clientMsgId to ask WeChat again: it never sends twice ' +
    'and answers 200 with the msgId once confirmed. `GET /status?clientMsgId=` shows the record meanwhile.',
  409:
    '`send_in_progress`: a send with this clientMsgId is in progress (`Retry-After: 5`); retry with the same ' +
    'clientMsgId. `duplicate` (WeChat errcode 45065 without the earlier msg_id): it was already sent, ' +
    'nothing new went out.',
  422:
    '`client_msg_id_reused`: this clientMsgId was already used for ' +
    'a different message or audience; use a new one for a new send.',
  502:
    'WeChat failed: unknown errcodes carry `errcode` and `errmsg`; token errors after the one ' +
    'retry; unreadable replies; or `outcome_unknown`: no usable answer, the message may have ' +
    'gone out; retry with the same clientMsgId (WeChat then answers with the existing msgId).',
  504: '`outcome_unknown` after a timeout: the message may have gone out; retry with the same clientMsgId.',
} as const;
