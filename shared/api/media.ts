import { HttpError } from '../http/http-error';
import type { WeChatDeps } from '../runtime';
import { uploadImage, uploadNews, uploadVideo, type NewsArticle } from '../wechat/endpoints';
import type { MediaId } from './ids';
import type {
  MediaIdResponse,
  MediaImageResponse,
  MediaNewsRequest,
  MediaVideoRequest,
  NewsArticleInput,
} from './schemas';
import { toHttpError } from './wechat-errors';
import { compact, flag } from './wechat-shape';

type Deps = Pick<WeChatDeps, 'client'>;

function toNewsArticle(article: NewsArticleInput): NewsArticle {
  return compact({
    thumb_media_id: article.thumbMediaId,
    author: article.author,
    title: article.title,
    content_source_url: article.contentSourceUrl,
    content: article.content,
    digest: article.digest,
    show_cover_pic: flag(article.showCoverPic),
    need_open_comment: flag(article.needOpenComment),
    only_fans_can_comment: flag(article.onlyFansCanComment),
  });
}

const mediaIdAnswer = (reply: { media_id: string; created_at?: number }): MediaIdResponse => ({
  mediaId: reply.media_id as MediaId,
  ...(reply.created_at !== undefined ? { createdAt: reply.created_at } : {}),
});

/** Articles → the media_id an mpnews send takes (WeChat: at most 8 articles). */
export async function uploadNewsArticles(deps: Deps, request: MediaNewsRequest): Promise<MediaIdResponse> {
  try {
    return mediaIdAnswer(await deps.client.call(uploadNews, { articles: request.articles.map(toNewsArticle) }));
  } catch (err) {
    throw toHttpError(err, { mediaId: 'articles[].thumbMediaId' });
  }
}

/** An uploaded video's media_id → the one a mass send accepts; the original gives 40007. */
export async function convertVideo(deps: Deps, request: MediaVideoRequest): Promise<MediaIdResponse> {
  try {
    const body = { media_id: request.mediaId, title: request.title ?? '', description: request.description ?? '' };
    return mediaIdAnswer(await deps.client.call(uploadVideo, body));
  } catch (err) {
    throw toHttpError(err, { mediaId: 'mediaId' });
  }
}

// uploadimg takes jpg/png below 1 MB; its URL is the only image source article content may use.
export const MAX_IMAGE_BYTES = 1024 * 1024 - 1;

const FORMATS = [
  { type: 'image/jpeg', extension: 'jpg', magic: [0xff, 0xd8, 0xff] },
  { type: 'image/png', extension: 'png', magic: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
] as const;

export function sniffImage(data: Uint8Array): (typeof FORMATS)[number] | undefined {
  return FORMATS.find((format) => format.magic.every((byte, i) => data[i] === byte));
}

export async function uploadArticleImage(deps: Deps, data: Uint8Array, filename?: string): Promise<MediaImageResponse> {
  if (data.length === 0) {
    throw new HttpError(400, 'invalid_request', 'the body must hold the image', {
      fields: [{ path: '(body)', reason: 'is empty' }],
    });
  }
  if (data.length > MAX_IMAGE_BYTES) {
    throw new HttpError(413, 'image_too_large', `WeChat takes images below 1 MB; this one has ${data.length} bytes`, {
      fields: [{ path: '(body)', reason: 'must be below 1 MB' }],
    });
  }
  const format = sniffImage(data);
  if (!format) {
    throw new HttpError(415, 'unsupported_media_type', 'WeChat takes JPEG or PNG images only', {
      fields: [{ path: '(body)', reason: 'is neither a JPEG nor a PNG image' }],
    });
  }
  const base =
    (filename ?? 'image')
      .replace(/[^A-Za-z0-9._-]/g, '_')
      .replace(/\.(jpe?g|png)$/i, '')
      .slice(0, 64) || 'image';
  try {
    const reply = await deps.client.call(uploadImage, {
      media: { filename: `${base}.${format.extension}`, contentType: format.type, data: new Uint8Array(data) },
    });
    return { url: reply.url };
  } catch (err) {
    throw toHttpError(err);
  }
}
