import { HttpError } from '../http/http-error';
import type { Logger } from '../log';
import { type Store, StoreUnavailableError } from '../store/store';
import type { WeChatClient } from '../wechat/client';
import type { Endpoint } from '../wechat/endpoints';
import { AccessTokenError, WeChatApiError, WeChatTransportError } from '../wechat/errors';
import type { MsgId } from '../wechat/msg-id';
import { type Attempt, fingerprintOf, sendOnce } from './idempotency';
import type { AwaitingConfirmationResponse, SendResponse } from './schemas';
import { SendOutcome, sendOutcomeOf } from './send-outcomes';
import { FAILURE_RULES, type FieldPaths, ruleFor, toHttpError } from './wechat-errors';
import { takeMassSendPermit } from './mass-send-permit';
import type { MassSendLimit } from '../jobs/mass-send-limit';
import type { AccessTokenProvider } from '../wechat/access-token';

const ignore = () => {};

export interface SendDeps {
  client: WeChatClient;
  store: Store;
  appId: string;
  log: Logger;
  /** The account's shared mass-send allowance (60 a minute, 100 a day). */
  massSendLimit: MassSendLimit;
  tokens: AccessTokenProvider;
}

export type SendAnswer = { status: 200; body: SendResponse } | { status: 202; body: AwaitingConfirmationResponse };

interface SendReply {
  msg_id: MsgId;
  msg_data_id?: MsgId;
}

export interface MassSendInput<Req> {
  endpoint: Endpoint<Req, SendReply>;
  /** The WeChat body without clientmsgid. */
  body: Omit<Req, 'clientmsgid'>;
  clientMsgId: string;
  /** Request paths to name when WeChat rejects an OpenID, a media id, a tag… */
  fields: FieldPaths;
}

/**
 * One logical mass send: at most one successful call to WeChat per clientmsgid, whatever
 * retries the caller makes (see idempotency.ts), and WeChat's answer as ours.
 */
export async function sendMass<Req>(deps: SendDeps, input: MassSendInput<Req>): Promise<SendAnswer> {
  const { endpoint, body, clientMsgId, fields } = input;
  const fingerprint = fingerprintOf({ path: endpoint.path, body });
  const { replayed, result } = await sendOnce(
    deps,
    clientMsgId,
    fingerprint,
    SendOutcome,
    async (): Promise<Attempt<SendOutcome>> => {
      // The permit counts against WeChat's 100 calls a day, so it is taken only once the token
      // is in hand: a wrong AppSecret, an IP missing from the whitelist (40164) or a store
      // outage would otherwise spend the day's allowance on calls that never left. On Redis
      // that is one round trip more for a cold send than asking for both at once.
      const accessToken = deps.tokens.get();
      const noToken = await accessToken.then(ignore, (err: unknown) => classify(err, clientMsgId, fields));
      if (noToken) return noToken;
      const refusal = await takeMassSendPermit(deps.massSendLimit);
      if (refusal) return { kind: 'failed', error: refusal };
      try {
        const reply = await deps.client.call(endpoint, { ...body, clientmsgid: clientMsgId } as Req, { accessToken });
        return {
          kind: 'done',
          result: { kind: 'sent', msgId: reply.msg_id, ...(reply.msg_data_id ? { msgDataId: reply.msg_data_id } : {}) },
        };
      } catch (err) {
        // 45009: the account's calls for the day are gone, counting those made elsewhere (the web
        // console). The shared counter says so too, so that the dispatcher and later sends stop
        // asking WeChat until Beijing midnight instead of spending a call each to hear it again.
        if (err instanceof WeChatApiError && err.errcode === 45009) {
          await deps.massSendLimit.exhaustToday().catch((cause: unknown) => {
            deps.log.warn('could not record the exhausted day', { err: cause });
          });
        }
        return classify(err, clientMsgId, fields);
      }
    },
    (outcome) => outcome.kind === 'awaiting_confirmation',
  );
  deps.log.info('mass send', { path: endpoint.path, clientMsgId, replayed, ...result });
  if (result.kind === 'awaiting_confirmation') {
    return {
      status: 202,
      body: {
        status: 'awaiting_confirmation',
        clientMsgId,
        errcode: result.errcode,
        message: awaitingMessage(clientMsgId),
      },
    };
  }
  const duplicate = replayed || result.duplicate;
  return {
    status: 200,
    body: {
      msgId: result.msgId,
      ...(result.msgDataId ? { msgDataId: result.msgDataId } : {}),
      clientMsgId,
      ...(duplicate ? { duplicate: true as const } : {}),
    },
  };
}

// -1 on a send: WeChat is busy. The clientmsgid makes the retry safe, so say how to retry.
// 45002 on a send is about the text, not an article (the table's wording is the draft's).
export const SEND_MESSAGES = {
  [-1]: 'WeChat reports it is busy; retry later with the same clientMsgId, it is never sent twice',
  45002: 'WeChat rejected the message: its text is too long',
};

/** The 202's message: exactly which call to make next. */
export function awaitingMessage(clientMsgId: string): string {
  return (
    'the send waits for an administrator to confirm it in WeChat (API mass-send protection, 30 minutes). ' +
    `Repeat this request with clientMsgId ${JSON.stringify(clientMsgId)}: it asks WeChat again, never sends ` +
    'twice, and answers the msgId once the administrator has confirmed; ' +
    `GET /status?clientMsgId=${encodeURIComponent(clientMsgId)} shows what is recorded meanwhile`
  );
}

function classify(err: unknown, clientMsgId: string, fields: FieldPaths): Attempt<SendOutcome> {
  const details = { clientMsgId };
  if (err instanceof WeChatApiError) {
    const outcome = sendOutcomeOf(err);
    if (outcome) return { kind: 'done', result: outcome };
    // A failure: nothing went out and the clientmsgid may be used again, unless WeChat may still
    // send it (45066: it is still handling this clientmsgid).
    const error = toHttpError(err, fields, details, SEND_MESSAGES);
    return { kind: ruleFor(err).sendInDoubt ? 'unknown' : 'failed', error };
  }
  // Without a token the send never left.
  if (err instanceof AccessTokenError) return { kind: 'failed', error: toHttpError(err, fields, details) };
  // The token cache failed before the send could leave (503 store_unavailable).
  if (err instanceof StoreUnavailableError) return { kind: 'failed', error: err };
  // No readable answer: WeChat may have sent it. Only a retry with the same clientmsgid is safe.
  const timeout = err instanceof WeChatTransportError && err.kind === 'timeout';
  return {
    kind: 'unknown',
    error: new HttpError(
      timeout ? FAILURE_RULES.outcomeUnknown.status : 502,
      FAILURE_RULES.outcomeUnknown.code,
      `${timeout ? 'WeChat did not answer in time' : 'WeChat gave no usable answer'}; ` +
        FAILURE_RULES.outcomeUnknown.message,
      { cause: err, details },
    ),
  };
}
