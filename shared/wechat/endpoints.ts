import * as z from 'zod/mini';
import { MassMessage, PreviewMessage } from './mass-message';
import { MsgId } from './msg-id';
import { memoize } from '../runtime/memoize';

/**
 * Every WeChat call this product makes, as data: one request function (request.ts) serves
 * them all. Requests are checked before they leave, replies after they arrive. `errcode ≠ 0`
 * never reaches a response schema: request.ts turns it into a WeChatApiError first.
 */
export interface Endpoint<Req, Res> {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  /** `access_token`: the token goes in the query; `none`: the token calls themselves. */
  readonly auth: 'access_token' | 'none';
  /** How the request travels: a JSON body, query parameters, or multipart form data. */
  readonly encoding: 'json' | 'query' | 'multipart';
  /** Multipart only: the body fields that travel in the query string instead (`type`). */
  readonly query?: readonly string[];
  readonly request: z.ZodMiniType<Req>;
  readonly response: z.ZodMiniType<Res>;
}

interface Schemas<Req, Res> {
  request: z.ZodMiniType<Req>;
  response: z.ZodMiniType<Res>;
}

/**
 * An endpoint's schemas are built on its first call: building every endpoint's (about 300 zod
 * schemas) cost each cold container several ms for the one or two endpoints it calls (issue 13).
 * The annotation lets esbuild drop the endpoints a function never imports.
 */
/* @__NO_SIDE_EFFECTS__ */
function endpoint<Req, Res>(
  definition: Omit<Endpoint<Req, Res>, 'request' | 'response'>,
  schemas: () => Schemas<Req, Res>,
): Endpoint<Req, Res> {
  const built = memoize(schemas);
  return {
    ...definition,
    get request() {
      return built().request;
    },
    get response() {
      return built().response;
    },
  };
}

const ok = memoize(() => z.looseObject({ errcode: z.optional(z.literal(0)), errmsg: z.optional(z.string()) }));
const sendResult = memoize(() => z.looseObject({ msg_id: MsgId, msg_data_id: z.optional(MsgId) }));
const clientmsgid = memoize(() => z.optional(z.string().check(z.maxLength(64))));
const openId = memoize(() => z.string().check(z.minLength(1)));

// WeChat's yes/no fields take 0 or 1, not JSON booleans.
const flag01 = memoize(() => z.optional(z.union([z.literal(0), z.literal(1)])));

const tokenResponse = memoize(() =>
  z.looseObject({
    access_token: z.string().check(z.minLength(1)),
    expires_in: z.number().check(z.int(), z.positive()),
  }),
);

export const token = endpoint(
  {
    method: 'GET',
    path: '/cgi-bin/token',
    auth: 'none',
    encoding: 'query',
  },
  () => ({
    request: z.strictObject({
      grant_type: z.literal('client_credential'),
      appid: z.string(),
      secret: z.string(),
    }),
    response: tokenResponse(),
  }),
);

export const stableToken = endpoint(
  {
    method: 'POST',
    path: '/cgi-bin/stable_token',
    auth: 'none',
    encoding: 'json',
  },
  () => ({
    request: z.strictObject({
      grant_type: z.literal('client_credential'),
      appid: z.string(),
      secret: z.string(),
      force_refresh: z.optional(z.boolean()),
    }),
    response: tokenResponse(),
  }),
);

export const massSendAll = endpoint(
  {
    method: 'POST',
    path: '/cgi-bin/message/mass/sendall',
    auth: 'access_token',
    encoding: 'json',
  },
  () => ({
    request: z.intersection(
      z.object({
        // is_to_all must be a JSON boolean; the string "true" gets 40008.
        filter: z.strictObject({ is_to_all: z.boolean(), tag_id: z.optional(z.number().check(z.int())) }),
        clientmsgid: clientmsgid(),
      }),
      MassMessage,
    ),
    response: sendResult(),
  }),
);

export const massSend = endpoint(
  {
    method: 'POST',
    path: '/cgi-bin/message/mass/send',
    auth: 'access_token',
    encoding: 'json',
  },
  () => ({
    request: z.intersection(
      z.object({
        touser: z.array(openId()).check(z.minLength(2), z.maxLength(10_000)),
        clientmsgid: clientmsgid(),
      }),
      MassMessage,
    ),
    response: sendResult(),
  }),
);

export const massPreview = endpoint(
  {
    method: 'POST',
    path: '/cgi-bin/message/mass/preview',
    auth: 'access_token',
    encoding: 'json',
  },
  () => ({
    request: z.intersection(
      z.object({ touser: z.optional(openId()), towxname: z.optional(z.string()) }),
      PreviewMessage,
    ),
    response: z.looseObject({ msg_id: z.optional(MsgId) }),
  }),
);

export const massDelete = endpoint(
  {
    method: 'POST',
    path: '/cgi-bin/message/mass/delete',
    auth: 'access_token',
    encoding: 'json',
  },
  () => ({
    request: z.strictObject({
      msg_id: z.optional(MsgId),
      // 1-based; 0 or absent deletes every article of the message.
      article_idx: z.optional(z.number().check(z.int(), z.minimum(0))),
      url: z.optional(z.string()),
    }),
    response: ok(),
  }),
);

export const MsgStatus = z.enum(['SEND_SUCCESS', 'SENDING', 'SEND_FAIL', 'DELETE']);
export type MsgStatus = z.infer<typeof MsgStatus>;

export const massGet = endpoint(
  {
    method: 'POST',
    path: '/cgi-bin/message/mass/get',
    auth: 'access_token',
    encoding: 'json',
  },
  () => ({
    request: z.strictObject({ msg_id: MsgId }),
    response: z.looseObject({ msg_id: MsgId, msg_status: MsgStatus }),
  }),
);

// 0 (fastest, 800k users a minute) … 4 (slowest, 100k). Also the HTTP API's speed, so the
// messages are written for its callers.
const SPEED_RANGE = 'must be 0 (fastest) to 4 (slowest)';
export const SpeedLevel = z
  .number()
  .check(z.int('must be a whole number'), z.minimum(0, SPEED_RANGE), z.maximum(4, SPEED_RANGE));

export const massSpeedGet = endpoint(
  {
    method: 'POST',
    path: '/cgi-bin/message/mass/speed/get',
    auth: 'access_token',
    encoding: 'json',
  },
  () => ({
    request: z.strictObject({}),
    response: z.looseObject({ speed: SpeedLevel, realspeed: z.number() }),
  }),
);

export const massSpeedSet = endpoint(
  {
    method: 'POST',
    path: '/cgi-bin/message/mass/speed/set',
    auth: 'access_token',
    encoding: 'json',
  },
  () => ({
    request: z.strictObject({ speed: SpeedLevel }),
    response: ok(),
  }),
);

const newsArticle = memoize(() =>
  z.strictObject({
    thumb_media_id: z.string().check(z.minLength(1)),
    author: z.optional(z.string()),
    title: z.string().check(z.minLength(1)),
    content_source_url: z.optional(z.string()),
    content: z.string().check(z.minLength(1)),
    digest: z.optional(z.string()),
    show_cover_pic: flag01(),
    need_open_comment: flag01(),
    only_fans_can_comment: flag01(),
  }),
);
export type NewsArticle = z.infer<ReturnType<typeof newsArticle>>;

export const uploadNews = endpoint(
  {
    method: 'POST',
    path: '/cgi-bin/media/uploadnews',
    auth: 'access_token',
    encoding: 'json',
  },
  () => ({
    request: z.strictObject({ articles: z.array(newsArticle()).check(z.minLength(1), z.maxLength(8)) }),
    response: z.looseObject({ type: z.optional(z.string()), media_id: z.string(), created_at: z.optional(z.number()) }),
  }),
);

export const uploadVideo = endpoint(
  {
    method: 'POST',
    path: '/cgi-bin/media/uploadvideo',
    auth: 'access_token',
    encoding: 'json',
  },
  () => ({
    request: z.strictObject({ media_id: z.string().check(z.minLength(1)), title: z.string(), description: z.string() }),
    response: z.looseObject({ type: z.optional(z.string()), media_id: z.string(), created_at: z.optional(z.number()) }),
  }),
);

const mediaFile = memoize(() =>
  z.object({
    filename: z.string(),
    contentType: z.string(),
    data: z.instanceof(Uint8Array),
  }),
);
export type MediaFile = z.infer<ReturnType<typeof mediaFile>>;

export const uploadImage = endpoint(
  {
    method: 'POST',
    path: '/cgi-bin/media/uploadimg',
    auth: 'access_token',
    encoding: 'multipart',
  },
  () => ({
    request: z.strictObject({ media: mediaFile() }),
    response: z.looseObject({ url: z.string() }),
  }),
);

/** The four kinds of uploaded media WeChat knows (add_material and media/upload take `type`). */
const uploadType = memoize(() => z.enum(['image', 'voice', 'video', 'thumb']));
export type UploadType = z.infer<ReturnType<typeof uploadType>>;

const mediaId = memoize(() => z.string().check(z.minLength(1)));
const page = memoize(() => ({
  offset: z.number().check(z.int(), z.minimum(0)),
  count: z.number().check(z.int(), z.minimum(1), z.maximum(20)),
}));

/** Permanent material; `description` (video only) is the JSON `{title, introduction}` as text. */
export const addMaterial = endpoint(
  {
    method: 'POST',
    path: '/cgi-bin/material/add_material',
    auth: 'access_token',
    encoding: 'multipart',
    query: ['type'],
  },
  () => ({
    request: z.strictObject({ type: uploadType(), media: mediaFile(), description: z.optional(z.string()) }),
    response: z.looseObject({ media_id: z.string().check(z.minLength(1)), url: z.optional(z.string()) }),
  }),
);

/** Temporary material, kept by WeChat for 3 days. */
export const uploadTemporaryMedia = endpoint(
  {
    method: 'POST',
    path: '/cgi-bin/media/upload',
    auth: 'access_token',
    encoding: 'multipart',
    query: ['type'],
  },
  () => ({
    request: z.strictObject({ type: uploadType(), media: mediaFile() }),
    // A thumb's id comes back as thumb_media_id, not the media_id WeChat's page shows: fixed in
    // silenceper/wechat#14, JeffreySu/WeiXinMPSDK#32, reported in grossopa/weixin-mp-java#7.
    response: z
      .looseObject({
        type: z.optional(z.string()),
        media_id: z.optional(z.string().check(z.minLength(1))),
        thumb_media_id: z.optional(z.string().check(z.minLength(1))),
        created_at: z.number(),
      })
      .check(
        z.refine(
          (reply) => (reply.media_id ?? reply.thumb_media_id) !== undefined,
          'has neither media_id nor thumb_media_id',
        ),
      ),
  }),
);

const materialListType = memoize(() => z.enum(['image', 'video', 'voice', 'news']));
export type MaterialListType = z.infer<ReturnType<typeof materialListType>>;

export const batchGetMaterial = endpoint(
  {
    method: 'POST',
    path: '/cgi-bin/material/batchget_material',
    auth: 'access_token',
    encoding: 'json',
  },
  () => ({
    request: z.strictObject({ type: materialListType(), ...page() }),
    response: z.looseObject({
      total_count: z.number(),
      item_count: z.number(),
      item: z.array(
        z.looseObject({
          media_id: z.string(),
          name: z.optional(z.string()),
          update_time: z.optional(z.number()),
          url: z.optional(z.string()),
          content: z.optional(z.unknown()),
        }),
      ),
    }),
  }),
);

export const getMaterialCount = endpoint(
  {
    method: 'GET',
    path: '/cgi-bin/material/get_materialcount',
    auth: 'access_token',
    encoding: 'query',
  },
  () => ({
    request: z.strictObject({}),
    response: z.looseObject({
      voice_count: z.number(),
      video_count: z.number(),
      image_count: z.number(),
      news_count: z.number(),
    }),
  }),
);

export const delMaterial = endpoint(
  {
    method: 'POST',
    path: '/cgi-bin/material/del_material',
    auth: 'access_token',
    encoding: 'json',
  },
  () => ({
    request: z.strictObject({ media_id: mediaId() }),
    response: ok(),
  }),
);

const draftArticle = memoize(() =>
  z.strictObject({
    article_type: z.optional(z.literal('news')),
    title: z.string().check(z.minLength(1)),
    author: z.optional(z.string()),
    digest: z.optional(z.string()),
    content: z.string().check(z.minLength(1)),
    content_source_url: z.optional(z.string()),
    thumb_media_id: z.string().check(z.minLength(1)),
    need_open_comment: flag01(),
    only_fans_can_comment: flag01(),
    pic_crop_235_1: z.optional(z.string()),
    pic_crop_1_1: z.optional(z.string()),
  }),
);
export type DraftArticle = z.infer<ReturnType<typeof draftArticle>>;

const draftNewsItem = memoize(() =>
  z.looseObject({
    title: z.string(),
    author: z.optional(z.string()),
    digest: z.optional(z.string()),
    content: z.optional(z.string()),
    content_source_url: z.optional(z.string()),
    thumb_media_id: z.optional(z.string()),
    need_open_comment: z.optional(z.number()),
    only_fans_can_comment: z.optional(z.number()),
    pic_crop_235_1: z.optional(z.string()),
    pic_crop_1_1: z.optional(z.string()),
    url: z.optional(z.string()),
  }),
);
export type DraftNewsItem = z.infer<ReturnType<typeof draftNewsItem>>;

export const draftAdd = endpoint(
  {
    method: 'POST',
    path: '/cgi-bin/draft/add',
    auth: 'access_token',
    encoding: 'json',
  },
  () => ({
    request: z.strictObject({ articles: z.array(draftArticle()).check(z.minLength(1), z.maxLength(8)) }),
    response: z.looseObject({ media_id: z.string().check(z.minLength(1)) }),
  }),
);

export const draftGet = endpoint(
  {
    method: 'POST',
    path: '/cgi-bin/draft/get',
    auth: 'access_token',
    encoding: 'json',
  },
  () => ({
    request: z.strictObject({ media_id: mediaId() }),
    response: z.looseObject({ news_item: z.array(draftNewsItem()) }),
  }),
);

export const draftBatchGet = endpoint(
  {
    method: 'POST',
    path: '/cgi-bin/draft/batchget',
    auth: 'access_token',
    encoding: 'json',
  },
  () => ({
    request: z.strictObject({ ...page(), no_content: flag01() }),
    response: z.looseObject({
      total_count: z.number(),
      item_count: z.number(),
      item: z.array(
        z.looseObject({
          media_id: z.string(),
          content: z.looseObject({ news_item: z.array(draftNewsItem()) }),
          update_time: z.optional(z.number()),
        }),
      ),
    }),
  }),
);

export const draftDelete = endpoint(
  {
    method: 'POST',
    path: '/cgi-bin/draft/delete',
    auth: 'access_token',
    encoding: 'json',
  },
  () => ({
    request: z.strictObject({ media_id: mediaId() }),
    response: ok(),
  }),
);
