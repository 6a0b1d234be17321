import { WeChatError } from './errors';
import type { MediaStore } from './media';

/**
 * The message part of a mass-send body. The object sits under the key named by `msgtype`,
 * except images: sendall/send take `images {media_ids[]}` while preview takes a single
 * `image {media_id}`. A missing or wrongly named object is 40008, as WeChat answers.
 */
export type MassContent =
  | { msgtype: 'mpnews'; mediaId: string; sendIgnoreReprint: 0 | 1; articleCount: number }
  | { msgtype: 'text'; content: string }
  | { msgtype: 'voice'; mediaId: string }
  | { msgtype: 'image'; mediaIds: string[] }
  | { msgtype: 'mpvideo'; mediaId: string; title?: string; description?: string }
  | { msgtype: 'wxcard'; cardId: string };

export type MassMsgType = MassContent['msgtype'];

const TEXT_MAX_CHARS = 600;
const MSGTYPES: readonly string[] = ['mpnews', 'text', 'voice', 'image', 'mpvideo', 'wxcard'];

export interface ContentContext {
  appid: string;
  media: MediaStore;
  cardIds: readonly string[];
  /** preview takes `image {media_id}`; sendall/send take `images {media_ids}`. */
  endpoint: 'mass' | 'preview';
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function objectAt(body: Record<string, unknown>, key: string): Record<string, unknown> {
  const value = body[key];
  if (!isRecord(value)) throw new WeChatError(40008, key);
  return value;
}

function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new WeChatError(40008, field);
  return value;
}

export function parseContent(body: Record<string, unknown>, ctx: ContentContext): MassContent {
  const { msgtype } = body;
  if (typeof msgtype !== 'string' || !MSGTYPES.includes(msgtype)) throw new WeChatError(40008, 'msgtype');
  const { appid, media } = ctx;
  switch (msgtype as MassMsgType) {
    case 'mpnews': {
      const news = media.find(appid, objectAt(body, 'mpnews').media_id, ['news'], 'mpnews.media_id');
      if (news.sentAt !== undefined) throw new WeChatError(40007, 'mpnews.media_id (draft already sent)');
      const reprint = body.send_ignore_reprint ?? 0;
      if (reprint !== 0 && reprint !== 1) throw new WeChatError(40097, 'send_ignore_reprint');
      return {
        msgtype: 'mpnews',
        mediaId: news.mediaId,
        sendIgnoreReprint: reprint,
        articleCount: news.articles?.length ?? 1,
      };
    }
    case 'text': {
      const { content } = objectAt(body, 'text');
      if (typeof content !== 'string') throw new WeChatError(40008, 'text.content');
      if (content.trim() === '') throw new WeChatError(44004, 'text.content');
      // Our model of WeChat's undocumented limit: the console's 600 characters for a text mass send.
      if ([...content].length > TEXT_MAX_CHARS) throw new WeChatError(45002, 'text.content');
      return { msgtype: 'text', content };
    }
    case 'voice': {
      const voice = media.find(appid, objectAt(body, 'voice').media_id, ['voice'], 'voice.media_id');
      return { msgtype: 'voice', mediaId: voice.mediaId };
    }
    case 'image': {
      if (ctx.endpoint === 'preview') {
        const image = media.find(appid, objectAt(body, 'image').media_id, ['image'], 'image.media_id');
        return { msgtype: 'image', mediaIds: [image.mediaId] };
      }
      const ids = objectAt(body, 'images').media_ids;
      if (!Array.isArray(ids) || ids.length === 0 || ids.length > 8) throw new WeChatError(40008, 'images.media_ids');
      return {
        msgtype: 'image',
        mediaIds: ids.map((id, i) => media.find(appid, id, ['image'], `images.media_ids[${i}]`).mediaId),
      };
    }
    case 'mpvideo': {
      const object = objectAt(body, 'mpvideo');
      const video = media.find(appid, object.media_id, ['mpvideo'], 'mpvideo.media_id');
      const title = optionalString(object.title, 'mpvideo.title');
      const description = optionalString(object.description, 'mpvideo.description');
      return {
        msgtype: 'mpvideo',
        mediaId: video.mediaId,
        ...(title === undefined ? {} : { title }),
        ...(description === undefined ? {} : { description }),
      };
    }
    case 'wxcard': {
      const { card_id: cardId } = objectAt(body, 'wxcard');
      if (typeof cardId !== 'string' || !ctx.cardIds.includes(cardId)) throw new WeChatError(40073, 'wxcard.card_id');
      return { msgtype: 'wxcard', cardId };
    }
  }
}
