import type { ApiBody, AuthedRequest } from './api-types';
import { WeChatError } from './errors';
import { isRecord } from './message-content';
import type { NewsArticle } from './media';
import { findFormFile } from './multipart';

/**
 * Material for mass sends: `uploadimg` (an image for an article body: jpg/png under 1 MB,
 * returns a URL, not a media id), `uploadnews` (1 to 8 articles → an mpnews media id) and
 * `uploadvideo` (turns a video media id into an mpvideo media id).
 */
const MAX_IMAGE_BYTES = 1024 * 1024;
const MAX_ARTICLES = 8;

function imageFormat(data: Buffer): 'jpg' | 'png' | undefined {
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'jpg';
  if (data.length >= 8 && data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return 'png';
  return undefined;
}

export function uploadImage(req: AuthedRequest): ApiBody {
  const file = findFormFile(req.headers['content-type'], req.raw, 'media');
  if (!file || file.data.length === 0) throw new WeChatError(41005, 'media');
  const format = imageFormat(file.data);
  if (!format) throw new WeChatError(40005, 'media must be jpg or png');
  if (file.data.length >= MAX_IMAGE_BYTES) throw new WeChatError(40006, 'media must be under 1 MB');
  const image = req.state.media.addImage(req.appid, format, file.data.length);
  req.notes.push(`${format} ${file.data.length} bytes`);
  return { url: image.url };
}

function requiredText(article: Record<string, unknown>, field: string, index: number): string {
  const value = article[field];
  if (typeof value !== 'string' || value.trim() === '') throw new WeChatError(44003, `articles[${index}].${field}`);
  return value;
}

function parseArticle(req: AuthedRequest, value: unknown, index: number): NewsArticle {
  if (!isRecord(value)) throw new WeChatError(44003, `articles[${index}]`);
  const thumb = req.state.media.find(
    req.appid,
    value.thumb_media_id,
    ['thumb', 'image'],
    `articles[${index}].thumb_media_id`,
  );
  // The draft_add page's limits, as draft-api.ts models them: title 32 characters (45003),
  // author 16 (45110), digest 128 (45004).
  const chars = (field: string) => (typeof value[field] === 'string' ? [...(value[field] as string)].length : 0);
  if (chars('title') > 32) throw new WeChatError(45003, `articles[${index}].title`);
  if (chars('author') > 16) throw new WeChatError(45110, `articles[${index}].author`);
  if (chars('digest') > 128) throw new WeChatError(45004, `articles[${index}].digest`);
  return {
    title: requiredText(value, 'title', index),
    content: requiredText(value, 'content', index),
    thumbMediaId: thumb.mediaId,
    ...(typeof value.author === 'string' ? { author: value.author } : {}),
    ...(typeof value.digest === 'string' ? { digest: value.digest } : {}),
  };
}

export function uploadNews(req: AuthedRequest): ApiBody {
  const { articles } = req.body;
  if (!Array.isArray(articles) || articles.length === 0) throw new WeChatError(44003, 'articles');
  if (articles.length > MAX_ARTICLES) throw new WeChatError(45008, 'articles');
  const news = req.state.media.addNews(
    req.appid,
    articles.map((a, i) => parseArticle(req, a, i)),
  );
  req.notes.push(`${articles.length} article(s)`);
  return { type: 'news', media_id: news.mediaId, created_at: Math.floor(news.createdAt / 1000) };
}

export function uploadVideo(req: AuthedRequest): ApiBody {
  const { media_id: mediaId, title, description } = req.body;
  const source = req.state.media.find(req.appid, mediaId, ['video'], 'media_id');
  if (title !== undefined && typeof title !== 'string') throw new WeChatError(40097, 'title');
  if (description !== undefined && typeof description !== 'string') throw new WeChatError(40097, 'description');
  const video = req.state.media.addMpvideo(req.appid, source, title ?? '', description ?? '');
  return { type: 'video', media_id: video.mediaId, created_at: Math.floor(video.createdAt / 1000) };
}
