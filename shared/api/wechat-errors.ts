import { type ErrorStatus, HttpError } from '../http/http-error';
import { redact } from '../redact';
import {
  AccessTokenError,
  isTokenInvalid,
  WeChatApiError,
  WeChatResponseError,
  WeChatTransportError,
} from '../wechat/errors';

/**
 * The one table from WeChat's failure errcodes (answered with HTTP 200) to our HTTP error
 * answers; a new failure is a new row. Errcodes that answer a send without failing it (45065,
 * 89504, 89505) are outcomes, kept in send-outcomes.ts. The README lists both from here.
 * `field` names the kind of input WeChat rejected; each service says which request path that is
 * (e.g. `openIds` for send-by-list, `openId` for preview).
 *
 * Reviewed against WeChat's global errcode list (全局返回码说明) for the mass-send
 * (message/mass/*) and material endpoints: every code a caller can cause is a 4xx naming its
 * field; codes only this product's own request or setup can cause (47001 data format, 40013
 * appid, 41001 token missing, 43002 method) stay 502 wechat_error, with WeChat's errcode and
 * errmsg in the answer. A route where a code means more says so (toHttpError's `messages`).
 */
/** `mediaId` stands for the field carrying the message's payload: media id(s), card id or text. */
export type FieldRole =
  | 'openId'
  | 'wechatId'
  | 'mediaId'
  | 'messageType'
  | 'tagId'
  | 'msgId'
  | 'articleIdx'
  | 'clientMsgId'
  | 'speed'
  | 'openIds'
  | 'media'
  | 'mediaType'
  | 'articles'
  | 'title'
  | 'author'
  | 'digest'
  | 'content'
  | 'contentSourceUrl';

export interface WeChatErrorRule {
  status: ErrorStatus;
  code: string;
  message: string;
  field?: FieldRole;
  retryAfterSeconds?: number;
  /** For a send: WeChat may still send it, so the clientMsgId is kept for a retry, not released. */
  sendInDoubt?: true;
  /** When the row applies, for the README's table, if not to every answer with this errcode. */
  when?: string;
}

export const WECHAT_ERRORS: Readonly<Record<number, WeChatErrorRule>> = {
  [-1]: {
    status: 503,
    code: 'wechat_busy',
    message: 'WeChat reports it is busy; retry later',
    retryAfterSeconds: 5,
  },
  40003: {
    status: 400,
    code: 'invalid_openid',
    message: 'WeChat does not know this OpenID for this Official Account',
    field: 'openId',
  },
  40004: {
    status: 400,
    code: 'invalid_media_type',
    message: 'WeChat rejected the media type: it takes image, voice, video or thumb',
    field: 'mediaType',
  },
  40005: {
    status: 415,
    code: 'unsupported_media_type',
    message: 'WeChat rejected the file format for this media type',
    field: 'media',
  },
  40006: {
    status: 413,
    code: 'media_too_large',
    message: 'WeChat rejected the file size for this media type',
    field: 'media',
  },
  40009: {
    status: 413,
    code: 'media_too_large',
    message: 'WeChat rejected the image size for this media type',
    field: 'media',
  },
  40007: {
    status: 400,
    code: 'invalid_media_id',
    message: 'WeChat does not know this media id (expired, deleted, or from another account)',
    field: 'mediaId',
  },
  40008: {
    status: 400,
    code: 'invalid_message_type',
    message: 'WeChat rejected the message type',
    field: 'messageType',
  },
  40031: { status: 400, code: 'invalid_openid_list', message: 'WeChat rejected the OpenID list', field: 'openIds' },
  40032: {
    status: 400,
    code: 'invalid_openid_list',
    message: 'WeChat rejected the OpenID list: it takes 2 to 10,000 OpenIDs',
    field: 'openIds',
  },
  40097: { status: 400, code: 'invalid_argument', message: 'WeChat rejected an argument of the request' },
  40130: {
    status: 400,
    code: 'invalid_openid_list',
    message: 'WeChat rejected the OpenID list: it takes 2 to 10,000 OpenIDs',
    field: 'openIds',
  },
  // mass/get: an unknown msg_id. mass/delete answers it for a message it cannot delete as well;
  // the delete service says so.
  40059: { status: 404, code: 'msg_id_not_found', message: 'WeChat does not know this msgId', field: 'msgId' },
  40060: {
    status: 400,
    code: 'invalid_article_idx',
    message: 'WeChat rejected articleIdx: the message has no article at that position',
    field: 'articleIdx',
  },
  40073: { status: 400, code: 'invalid_card_id', message: 'WeChat does not know this card id', field: 'mediaId' },
  // Preview by towxname: "invalid username", the WeChat ID does not exist or does not follow.
  40132: {
    status: 400,
    code: 'invalid_wechat_id',
    message: 'WeChat does not know this WeChat ID, or its owner does not follow this Official Account',
    field: 'wechatId',
  },
  40137: {
    status: 415,
    code: 'unsupported_media_type',
    message: 'WeChat rejected the image format',
    field: 'media',
  },
  40152: { status: 400, code: 'invalid_tag_id', message: 'WeChat does not know this tag id', field: 'tagId' },
  41005: { status: 400, code: 'media_missing', message: 'WeChat received no file', field: 'media' },
  // Preview to an OpenID that does not follow the account.
  43004: {
    status: 400,
    code: 'not_a_follower',
    message: 'WeChat sends only to a follower of this Official Account',
    field: 'openId',
  },
  44003: {
    status: 400,
    code: 'empty_news',
    message: 'WeChat rejected the articles: one is empty or lacks a title or content',
    field: 'articles',
  },
  44004: {
    status: 400,
    code: 'empty_content',
    message: 'WeChat rejected the message: its content is empty',
    field: 'mediaId',
  },
  45001: {
    status: 413,
    code: 'media_too_large',
    message: 'WeChat rejected the file: it is over the size limit of its media type',
    field: 'media',
  },
  45002: {
    status: 400,
    code: 'content_too_long',
    message: 'WeChat rejected the article content: under 20,000 characters and 1 MB',
    field: 'content',
  },
  45003: {
    status: 400,
    code: 'title_too_long',
    message: 'WeChat rejected the title: at most 32 characters',
    field: 'title',
  },
  45004: {
    status: 400,
    code: 'digest_too_long',
    message: 'WeChat rejected the digest: at most 128 characters',
    field: 'digest',
  },
  45005: {
    status: 400,
    code: 'url_too_long',
    message: 'WeChat rejected the content source URL: at most 1 KB',
    field: 'contentSourceUrl',
  },
  45007: {
    status: 400,
    code: 'voice_too_long',
    message: 'WeChat rejected the voice: it plays longer than 60 seconds',
    field: 'media',
  },
  45008: {
    status: 400,
    code: 'too_many_articles',
    message: 'WeChat rejected the articles: at most 8',
    field: 'articles',
  },
  45009: {
    status: 429,
    code: 'daily_api_quota_exhausted',
    message: "this Official Account has used up today's API call quota for this endpoint; retry tomorrow",
  },
  45110: {
    status: 400,
    code: 'author_too_long',
    message: 'WeChat rejected the author: at most 16 characters',
    field: 'author',
  },
  45011: {
    status: 429,
    code: 'rate_limited',
    message: 'WeChat allows 60 mass-send requests a minute per account; retry after a minute',
    retryAfterSeconds: 60,
  },
  45028: {
    status: 429,
    code: 'mass_send_quota_exhausted',
    message:
      'no mass-send quota left: a subscription account may mass send once a day, a service ' +
      'account 4 times a month (sends to all count, and so do sends from the web console)',
  },
  // A send's outcome when the earlier msg_id comes with it (send-outcomes.ts); this is the rest.
  45065: {
    when: '45065 without the earlier msg_id',
    status: 409,
    code: 'duplicate',
    message:
      'this clientMsgId was already sent within 24 hours and nothing new went out, but WeChat did not name its msgId',
    field: 'clientMsgId',
  },
  45066: {
    status: 429,
    code: 'clientmsgid_retry_too_fast',
    message:
      'a send with this clientMsgId is still being processed by WeChat; retry after a minute with the same clientMsgId',
    retryAfterSeconds: 60,
    sendInDoubt: true,
  },
  45067: {
    status: 400,
    code: 'invalid_client_msg_id',
    message: 'WeChat rejected clientMsgId: at most 64 bytes',
    field: 'clientMsgId',
  },
  45083: {
    status: 400,
    code: 'invalid_speed',
    message: 'WeChat rejected the speed: it takes 0 (fastest) to 4 (slowest)',
    field: 'speed',
  },
  45084: { status: 400, code: 'invalid_speed', message: 'WeChat rejected the speed: it is missing', field: 'speed' },
  48001: {
    status: 403,
    code: 'api_unauthorized',
    message:
      'this Official Account may not use this API (mass send needs a ' +
      'verified account; send-by-list needs a verified service account)',
  },
};

export interface FailureRule extends WeChatErrorRule {
  when: string;
}

/** Failures that are not a single errcode; the README lists them after the errcode rows. */
export const FAILURE_RULES = {
  tokenRejected: {
    when: '40001 / 40014 / 42001 after the one retry with a fresh token',
    status: 502,
    code: 'wechat_token_rejected',
    message:
      'WeChat rejected a freshly issued access token; check that only this product refreshes the token of this AppID',
  },
  tokenUnavailable: {
    when: 'the token call failed (wrong AppSecret, API IP whitelist, WeChat down)',
    status: 502,
    code: 'wechat_token_unavailable',
    message:
      'no WeChat access token could be obtained; check the AppID, the AppSecret and the API IP whitelist (see the log)',
  },
  outcomeUnknown: {
    when:
      'a send WeChat gave no readable answer to (504 after a ' +
      'timeout, 502 after an HTTP error or an unreadable reply)',
    status: 504,
    code: 'outcome_unknown',
    message:
      'the message may have been sent: retry with the same clientMsgId to find out safely, it is never sent twice',
  },
  timeout: {
    when: 'any other call timed out',
    status: 504,
    code: 'wechat_timeout',
    message: 'WeChat did not answer in time',
  },
  unreachable: {
    when: 'any other call: WeChat unreachable or an HTTP error',
    status: 502,
    code: 'wechat_unreachable',
    message: 'WeChat could not be reached',
  },
  badReply: {
    when: 'any other call: a reply that is not the documented shape',
    status: 502,
    code: 'wechat_bad_reply',
    message: 'WeChat sent a reply this service cannot read',
  },
  unknown: {
    when: 'any other errcode (e.g. 47001, 40013: our own request or setup, not the caller)',
    status: 502,
    code: 'wechat_error',
    message: 'WeChat refused the request',
  },
} as const satisfies Record<string, FailureRule>;

const TOKEN_REJECTED: WeChatErrorRule = FAILURE_RULES.tokenRejected;
const UNKNOWN: WeChatErrorRule = FAILURE_RULES.unknown;

export function ruleFor(err: WeChatApiError): WeChatErrorRule {
  const { errcode } = err;
  // Left after the client's one retry with a fresh token (client.ts).
  if (isTokenInvalid(err)) return TOKEN_REJECTED;
  return WECHAT_ERRORS[errcode] ?? UNKNOWN;
}

export type FieldPaths = Partial<Record<FieldRole, string>>;

// WeChat names no article in its errcodes; the paths say which field of the articles it was.
// /media/news and /media/drafts take the same `articles[]`.
export const ARTICLE_FIELDS: FieldPaths = {
  mediaId: 'articles[].thumbMediaId',
  articles: 'articles',
  title: 'articles[].title',
  author: 'articles[].author',
  digest: 'articles[].digest',
  content: 'articles[].content',
  contentSourceUrl: 'articles[].contentSourceUrl',
};

function errcodeDetails(err: WeChatApiError): { errcode: number; errmsg: string } {
  return { errcode: err.errcode, errmsg: redact(err.errmsg) };
}

/**
 * Any failure of a WeChat call as the HttpError its caller should see. `fields` maps the
 * table's field roles to this request's paths. Unknown errors (our bugs) pass through and
 * become a generic 500.
 */
export function toHttpError(
  err: unknown,
  fields: FieldPaths = {},
  details: Record<string, unknown> = {},
  /** What an errcode means on this route, where it differs from the table's general wording. */
  messages: Readonly<Partial<Record<number, string>>> = {},
): unknown {
  if (err instanceof WeChatApiError) {
    const general = ruleFor(err);
    const own = messages[err.errcode];
    const rule = own ? { ...general, message: own } : general;
    const field = rule.field && fields[rule.field];
    return new HttpError(rule.status, rule.code, rule.message, {
      cause: err,
      ...(field ? { fields: [{ path: field, reason: `${rule.message} (errcode ${err.errcode})` }] } : {}),
      ...(rule.retryAfterSeconds ? { headers: { 'retry-after': String(rule.retryAfterSeconds) } } : {}),
      details: { ...details, ...errcodeDetails(err) },
    });
  }
  if (err instanceof AccessTokenError) {
    // The call itself never left. WeChat's errcode for the token call (40125 wrong AppSecret,
    // 40164 IP not whitelisted) tells the operator what to fix.
    const { status, code, message } = FAILURE_RULES.tokenUnavailable;
    const cause = err.cause instanceof WeChatApiError ? errcodeDetails(err.cause) : {};
    return new HttpError(status, code, message, { cause: err, details: { ...details, ...cause } });
  }
  if (err instanceof WeChatTransportError) {
    const { timeout, unreachable } = FAILURE_RULES;
    return err.kind === 'timeout'
      ? new HttpError(timeout.status, timeout.code, timeout.message, { cause: err, details })
      : new HttpError(
          unreachable.status,
          unreachable.code,
          err.kind === 'http_status' ? `WeChat answered HTTP ${err.status}` : unreachable.message,
          { cause: err, details },
        );
  }
  if (err instanceof WeChatResponseError) {
    const { badReply } = FAILURE_RULES;
    return new HttpError(badReply.status, badReply.code, badReply.message, { cause: err, details });
  }
  return err;
}
