import * as z from 'zod/mini';
import type { WeChatApiError } from '../wechat/errors';
import { MsgId } from '../wechat/msg-id';

/**
 * What a mass send came to once WeChat answered without failing it: sent (perhaps earlier, under
 * the same clientmsgid), or waiting for an administrator. Kept per clientmsgid in the send record
 * (idempotency.ts) and parsed back with this schema, so a retry gets the same answer.
 */
export const SendOutcome = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('sent'),
    msgId: MsgId,
    msgDataId: z.optional(MsgId),
    duplicate: z.optional(z.literal(true)),
  }),
  z.object({ kind: z.literal('awaiting_confirmation'), errcode: z.number().check(z.int()) }),
]);
export type SendOutcome = z.infer<typeof SendOutcome>;

export interface SendOutcomeRule {
  kind: 'duplicate' | 'awaiting_confirmation';
  status: 200 | 202;
  /** What marks the answer, for the README's table. */
  answer: string;
  message: string;
}

const AWAITING_CONFIRMATION: SendOutcomeRule = {
  kind: 'awaiting_confirmation',
  status: 202,
  answer: '`status: "awaiting_confirmation"`',
  message:
    'the send waits for an administrator to confirm it in WeChat (API mass-send protection, 30 minutes); ' +
    'repeat the request with the same clientMsgId to ask WeChat again (it never sends twice and answers the msgId ' +
    'once confirmed), or GET /status?clientMsgId=',
};

/**
 * The errcodes WeChat answers a send with that are outcomes, not failures. Everything else is a
 * failure from the errcode table (wechat-errors.ts), and so is one of these when WeChat's answer
 * lacks what the outcome needs (45065 without the earlier msg_id).
 */
export const SEND_OUTCOMES: Readonly<Record<number, SendOutcomeRule>> = {
  // The same clientmsgid was sent within 24 hours: WeChat names the earlier msg_id and sends nothing.
  45065: {
    kind: 'duplicate',
    status: 200,
    answer: '`duplicate: true`',
    message: 'this clientMsgId was already sent within 24 hours; nothing new went out (the answer carries its msgId)',
  },
  // API mass-send protection: accepted, waiting for an administrator; sending again would queue another.
  89504: AWAITING_CONFIRMATION,
  89505: AWAITING_CONFIRMATION,
};

/** WeChat's errcode answer to a send as an outcome, or undefined when it is a failure. */
export function sendOutcomeOf(err: WeChatApiError): SendOutcome | undefined {
  const rule = SEND_OUTCOMES[err.errcode];
  switch (rule?.kind) {
    case undefined:
      return undefined;
    case 'duplicate': {
      const msgId = MsgId.safeParse(err.body.msg_id);
      return msgId.success ? { kind: 'sent', msgId: msgId.data, duplicate: true } : undefined;
    }
    case 'awaiting_confirmation':
      return { kind: 'awaiting_confirmation', errcode: err.errcode };
  }
}
