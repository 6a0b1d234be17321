import { toMassMessage, type Message } from '../api/message';
import { sendOutcomeOf } from '../api/send-outcomes';
import { StoreUnavailableError } from '../store/store';
import type { WeChatClient } from '../wechat/client';
import { massSend, massSendAll } from '../wechat/endpoints';
import type { TagAudience } from './job-model';
import { AccessTokenError, WeChatApiError } from '../wechat/errors';

/** What one mass/send call for a batch came to, as the batch's state machine needs it. */
export type BatchOutcome =
  | { kind: 'sent'; msgId: string; duplicate?: true }
  | { kind: 'awaiting_confirmation'; errcode: number }
  /** WeChat refused the batch for good: recorded, and the job goes on. */
  | { kind: 'failed'; errcode: number }
  /** The call may have gone out: retried later with the same clientmsgid. */
  | { kind: 'unknown'; reason: string }
  /** Certainly not sent, and not this batch's fault: it stays pending. `stop` ends the run. */
  | { kind: 'not_sent'; reason: string; stop: 'day' | 'minute' | 'unavailable' };

export async function sendBatch(
  client: WeChatClient,
  input: { openIds?: string[]; audience?: TagAudience; message: Message; clientMsgId: string },
  /** The token already obtained for this call (its permit was taken after it). */
  accessToken?: Promise<string>,
): Promise<BatchOutcome> {
  const options = accessToken ? { accessToken } : undefined;
  try {
    const message = { ...toMassMessage(input.message), clientmsgid: input.clientMsgId };
    // is_to_all must be a JSON boolean (the string "true" gets 40008).
    const reply = input.audience
      ? await client.call(
          massSendAll,
          {
            filter: 'all' in input.audience ? { is_to_all: true } : { is_to_all: false, tag_id: input.audience.tagId },
            ...message,
          } as Parameters<typeof massSendAll.request.parse>[0],
          options,
        )
      : await client.call(
          massSend,
          { touser: input.openIds ?? [], ...message } as Parameters<typeof massSend.request.parse>[0],
          options,
        );
    return { kind: 'sent', msgId: reply.msg_id };
  } catch (err) {
    return classify(err);
  }
}

function classify(err: unknown): BatchOutcome {
  if (err instanceof AccessTokenError) return { kind: 'not_sent', reason: 'no access token', stop: 'unavailable' };
  if (err instanceof StoreUnavailableError)
    return { kind: 'not_sent', reason: 'store unavailable', stop: 'unavailable' };
  if (!(err instanceof WeChatApiError)) return { kind: 'unknown', reason: err instanceof Error ? err.name : 'error' };
  // Sent before (45065 with the msg_id it sent then), or waiting for an administrator (89504/89505).
  const outcome = sendOutcomeOf(err);
  if (outcome) return outcome;
  switch (err.errcode) {
    // Sent before, but WeChat did not name the msg_id: asked again later with the same clientmsgid.
    case 45065:
      return { kind: 'unknown', reason: 'errcode 45065 without msg_id' };
    // WeChat is still handling this clientmsgid: whether it goes out is not known yet.
    case 45066:
      return { kind: 'unknown', reason: 'errcode 45066' };
    // System busy: nothing known; the same clientmsgid makes the retry safe.
    case -1:
      return { kind: 'unknown', reason: 'errcode -1' };
    case 45009:
      return { kind: 'not_sent', reason: 'errcode 45009', stop: 'day' };
    case 45011:
      return { kind: 'not_sent', reason: 'errcode 45011', stop: 'minute' };
    default:
      return { kind: 'failed', errcode: err.errcode };
  }
}
