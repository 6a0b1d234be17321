import * as z from 'zod/mini';
import { MassSendJobReport } from '../reports/mass-send-job-report';
import { MsgStatus, SpeedLevel } from '../wechat/endpoints';
import { ClientMsgId, MediaId, MsgId, OpenId } from './ids';
import { ARTICLE_AUTHOR_MAX_CHARS, ARTICLE_DIGEST_MAX_CHARS, ARTICLE_TITLE_MAX_CHARS, maxChars } from './limits';
import { Message, PreviewableMessage } from './message';
import { JobAcceptedResponse, SendAt } from './job-schemas';

/**
 * Every request and response body of the HTTP API. Handlers validate with these and
 * scripts/openapi.ts documents the same objects, so the document cannot drift from the code.
 * Objects are strict: an unknown field (usually a typo) is a 400, not silently ignored.
 */

export const MAX_OPENIDS = 10_000;

const both = (input: unknown, a: string, b: string): boolean =>
  typeof input === 'object' && input !== null && a in input && b in input;
const neither = (input: unknown, a: string, b: string): boolean =>
  typeof input === 'object' && input !== null && !(a in input) && !(b in input);

export const Audience = z.union(
  [
    z.strictObject({ all: z.literal(true) }),
    z.strictObject({ tagId: z.number().check(z.int('must be a whole number'), z.minimum(0)) }),
  ],
  {
    error: (issue) =>
      both(issue.input, 'all', 'tagId') ? 'audience takes either {all: true} or {tagId}, not both' : undefined,
  },
);
export type Audience = z.infer<typeof Audience>;

export const SendByTagRequest = z.strictObject({
  audience: Audience,
  message: Message,
  clientMsgId: z.optional(ClientMsgId),
  /** Send later: stored, and sent by the dispatcher when due (at most 30 days ahead). */
  sendAt: z.optional(SendAt),
});
export type SendByTagRequest = z.infer<typeof SendByTagRequest>;

export const SendByListRequest = z.strictObject({
  // 2 to 10,000 distinct OpenIDs (WeChat's limits); duplicates are removed before counting.
  openIds: z
    .array(OpenId)
    .check(
      z.minLength(2, 'must hold at least 2 OpenIDs (WeChat sends a list of 2 or more); for one person use /preview'),
    ),
  message: Message,
  clientMsgId: z.optional(ClientMsgId),
  /** Send later: stored as a job and sent by the dispatcher when due (at most 30 days ahead). */
  sendAt: z.optional(SendAt),
});
export type SendByListRequest = z.infer<typeof SendByListRequest>;

export const SendResponse = z.strictObject({
  msgId: MsgId,
  msgDataId: z.optional(MsgId),
  clientMsgId: ClientMsgId,
  /** True when this clientMsgId had already been sent: nothing new went out. */
  duplicate: z.optional(z.literal(true)),
});
export type SendResponse = z.infer<typeof SendResponse>;

/** 202: an account with mass-send protection waits for an administrator to confirm. */
export const AwaitingConfirmationResponse = z.strictObject({
  status: z.literal('awaiting_confirmation'),
  clientMsgId: ClientMsgId,
  errcode: z.number(),
  message: z.string(),
});
export type AwaitingConfirmationResponse = z.infer<typeof AwaitingConfirmationResponse>;

/** 202 from a send: waiting for an administrator, or stored as a job (a long list, a sendAt). */
export const SendAcceptedResponse = z.union([AwaitingConfirmationResponse, JobAcceptedResponse]);

export const PreviewRequest = z.union(
  [
    z.strictObject({ openId: OpenId, message: PreviewableMessage }),
    // WeChat's towxname: the WeChat ID a person chose, not an OpenID.
    z.strictObject({
      wechatId: z.string().check(z.minLength(1, 'must not be empty'), z.maxLength(64)),
      message: PreviewableMessage,
    }),
  ],
  {
    // WeChat would prefer towxname when both are set; refusing says which one will be used.
    error: (issue) =>
      both(issue.input, 'openId', 'wechatId') || neither(issue.input, 'openId', 'wechatId')
        ? 'preview needs exactly one of openId or wechatId'
        : undefined,
  },
);
export type PreviewRequest = z.infer<typeof PreviewRequest>;

export const PreviewResponse = z.strictObject({ msgId: z.optional(MsgId) });
export type PreviewResponse = z.infer<typeof PreviewResponse>;

export const DeleteRequest = z.union([
  z.strictObject({
    msgId: MsgId,
    // 1-based position of the article; absent (or 0) deletes every article of the message.
    articleIdx: z.optional(z.number().check(z.int('must be a whole number'), z.minimum(0), z.maximum(8))),
  }),
  z.strictObject({ url: z.url() }),
]);
export type DeleteRequest = z.infer<typeof DeleteRequest>;

export const DeleteResponse = z.strictObject({ deleted: z.literal(true) });
export type DeleteResponse = z.infer<typeof DeleteResponse>;

// Query objects are not strict: a parameter this route does not read (a cache buster) is ignored.
// A send is looked up by its msgId or, before WeChat has given one, by its clientMsgId.
export const StatusQuery = z.object({ msgId: z.optional(MsgId), clientMsgId: z.optional(ClientMsgId) }).check(
  z.refine((q) => (q.msgId === undefined) !== (q.clientMsgId === undefined), {
    message: 'give exactly one of msgId or clientMsgId',
    path: ['msgId'],
  }),
);
export type StatusQuery = z.infer<typeof StatusQuery>;

export const StatusResponse = z.strictObject({
  msgId: MsgId,
  status: MsgStatus,
  /** `report`: the recorded MASSSENDJOBFINISH (WeChat was not called); `wechat`: mass/get. */
  source: z.enum(['report', 'wechat']),
  /** The MASSSENDJOBFINISH report the callback recorded; null until it arrives. */
  report: z.nullable(MassSendJobReport),
});
export type StatusResponse = z.infer<typeof StatusResponse>;

/**
 * GET /status?clientMsgId=: what is recorded for a send (24 hours). `sending`: a call to WeChat
 * is under way; `outcome_unknown`: WeChat gave no answer, retry the send with the same
 * clientMsgId; `awaiting_confirmation`: an administrator must confirm, retry the send to ask
 * WeChat again; `sent`: the msgId, with the status of GET /status?msgId=.
 */
export const SendStatusResponse = z.strictObject({
  clientMsgId: ClientMsgId,
  state: z.enum(['sending', 'outcome_unknown', 'awaiting_confirmation', 'sent']),
  message: z.string(),
  msgId: z.optional(MsgId),
  msgDataId: z.optional(MsgId),
  status: z.optional(MsgStatus),
  source: z.optional(z.enum(['report', 'wechat'])),
  report: z.optional(z.nullable(MassSendJobReport)),
});
export type SendStatusResponse = z.infer<typeof SendStatusResponse>;

/** GET /status answers a StatusResponse for ?msgId= and a SendStatusResponse for ?clientMsgId=. */
export const StatusAnswer = z.union([StatusResponse, SendStatusResponse]);

export const SpeedRequest = z.strictObject({ speed: SpeedLevel });
export type SpeedRequest = z.infer<typeof SpeedRequest>;

export const SpeedResponse = z.strictObject({
  speed: SpeedLevel,
  /** WeChat's realspeed (units of 10,000 users a minute), in users a minute. */
  usersPerMinute: z.number(),
});
export type SpeedResponse = z.infer<typeof SpeedResponse>;

const yesNo = z.optional(z.boolean());

export const NewsArticleInput = z.strictObject({
  thumbMediaId: MediaId,
  title: z.string().check(z.minLength(1, 'must not be empty'), maxChars(ARTICLE_TITLE_MAX_CHARS)),
  // HTML; images must be URLs from /media/image, other image hosts are stripped by WeChat.
  content: z.string().check(z.minLength(1, 'must not be empty')),
  author: z.optional(z.string().check(maxChars(ARTICLE_AUTHOR_MAX_CHARS))),
  contentSourceUrl: z.optional(z.string()),
  digest: z.optional(z.string().check(maxChars(ARTICLE_DIGEST_MAX_CHARS))),
  showCoverPic: yesNo,
  needOpenComment: yesNo,
  onlyFansCanComment: yesNo,
});
export type NewsArticleInput = z.infer<typeof NewsArticleInput>;

export const MediaNewsRequest = z.strictObject({
  articles: z
    .array(NewsArticleInput)
    .check(z.minLength(1, 'must hold at least one article'), z.maxLength(8, 'must hold at most 8 articles')),
});
export type MediaNewsRequest = z.infer<typeof MediaNewsRequest>;

export const MediaVideoRequest = z.strictObject({
  // The media_id of a video uploaded as ordinary media; WeChat turns it into one a mass send accepts.
  mediaId: MediaId,
  title: z.optional(z.string()),
  description: z.optional(z.string()),
});
export type MediaVideoRequest = z.infer<typeof MediaVideoRequest>;

export const MediaIdResponse = z.strictObject({ mediaId: MediaId, createdAt: z.optional(z.number()) });
export type MediaIdResponse = z.infer<typeof MediaIdResponse>;

export const MediaImageResponse = z.strictObject({ url: z.string() });
export type MediaImageResponse = z.infer<typeof MediaImageResponse>;

export const ErrorResponse = z.strictObject({
  error: z.looseObject({
    code: z.string(),
    message: z.string(),
    requestId: z.string(),
    fields: z.optional(z.array(z.strictObject({ path: z.string(), reason: z.string() }))),
    clientMsgId: z.optional(z.string()),
    errcode: z.optional(z.number()),
    errmsg: z.optional(z.string()),
  }),
});
export type ErrorResponse = z.infer<typeof ErrorResponse>;
