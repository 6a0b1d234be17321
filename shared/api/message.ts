import * as z from 'zod/mini';
import type { MassMessage, PreviewMessage } from '../wechat/mass-message';
import { MediaId } from './ids';
import { maxChars, TEXT_CONTENT_MAX_CHARS } from './limits';
import { compact, flag } from './wechat-shape';

/**
 * The message a caller sends, in our camelCase shape, and its exact translation into the
 * message object WeChat's mass endpoints take (keyed by `msgtype`).
 */
// WeChat refuses blank text with 44004; say so before the call.
const text = z.strictObject({
  type: z.literal('text'),
  content: z.string().check(
    z.refine((content) => content.trim() !== '', 'must not be empty or only blanks'),
    maxChars(TEXT_CONTENT_MAX_CHARS),
  ),
});
const mpnews = z.strictObject({
  type: z.literal('mpnews'),
  mediaId: MediaId,
  // WeChat's originality check: true continues when the article is judged a reprint that may be
  // reprinted; false (WeChat's default) stops the send.
  sendIgnoreReprint: z.optional(z.boolean()),
});
const voice = z.strictObject({ type: z.literal('voice'), mediaId: MediaId });
const mpvideo = z.strictObject({
  type: z.literal('mpvideo'),
  // Must be the media_id returned by /media/video (WeChat's uploadvideo), not the original upload.
  mediaId: MediaId,
  title: z.optional(z.string()),
  description: z.optional(z.string()),
});
const wxcard = z.strictObject({
  type: z.literal('wxcard'),
  cardId: z.string().check(z.minLength(1, 'must not be empty')),
  // WeChat takes card_ext as a JSON-encoded string, not an object.
  cardExt: z.optional(z.string()),
});
const images = z.strictObject({
  type: z.literal('image'),
  mediaIds: z.array(MediaId).check(z.minLength(1, 'must hold at least one media id')),
  recommend: z.optional(z.string()),
  needOpenComment: z.optional(z.boolean()),
  onlyFansCanComment: z.optional(z.boolean()),
});
// Preview shows one image: WeChat's preview takes `image {media_id}`, not `images`.
const singleImage = z.strictObject({ type: z.literal('image'), mediaId: MediaId });

const TYPES = { error: 'must be one of text, mpnews, image, voice, mpvideo, wxcard' };

export const Message = z.discriminatedUnion('type', [text, mpnews, images, voice, mpvideo, wxcard], TYPES);
export type Message = z.infer<typeof Message>;

export const PreviewableMessage = z.discriminatedUnion(
  'type',
  [text, mpnews, singleImage, voice, mpvideo, wxcard],
  TYPES,
);
export type PreviewableMessage = z.infer<typeof PreviewableMessage>;

type Shared = Exclude<Message, { type: 'image' }>;

function toSharedWeChat(message: Shared): Exclude<MassMessage, { msgtype: 'image' }> {
  switch (message.type) {
    case 'text':
      return { msgtype: 'text', text: { content: message.content } };
    case 'mpnews':
      return compact({
        msgtype: 'mpnews',
        mpnews: { media_id: message.mediaId },
        send_ignore_reprint: flag(message.sendIgnoreReprint),
      });
    case 'voice':
      return { msgtype: 'voice', voice: { media_id: message.mediaId } };
    case 'mpvideo':
      return {
        msgtype: 'mpvideo',
        mpvideo: compact({ media_id: message.mediaId, title: message.title, description: message.description }),
      };
    case 'wxcard':
      return { msgtype: 'wxcard', wxcard: compact({ card_id: message.cardId, card_ext: message.cardExt }) };
  }
}

/** For sendall and send: images go under `images` while msgtype stays "image". */
export function toMassMessage(message: Message): MassMessage {
  if (message.type !== 'image') return toSharedWeChat(message);
  return {
    msgtype: 'image',
    images: compact({
      media_ids: [...message.mediaIds],
      recommend: message.recommend,
      need_open_comment: flag(message.needOpenComment),
      only_fans_can_comment: flag(message.onlyFansCanComment),
    }),
  };
}

export function toPreviewMessage(message: PreviewableMessage): PreviewMessage {
  if (message.type !== 'image') return toSharedWeChat(message);
  return { msgtype: 'image', image: { media_id: message.mediaId } };
}

/** The request field to name when WeChat rejects a media_id (40007). */
export function mediaField(message: Message | PreviewableMessage): string {
  if (message.type === 'text') return 'message.content';
  if ('mediaIds' in message) return 'message.mediaIds';
  if ('mediaId' in message) return 'message.mediaId';
  if (message.type === 'wxcard') return 'message.cardId';
  return 'message';
}
