import type { ApiBody, AuthedRequest } from './api-types';
import { WeChatError } from './errors';
import type { MediaRecord, NewsArticle } from './media';
import { isRecord } from './message-content';

/**
 * The draft box (`draft/add`, `get`, `batchget`, `delete`, `count`): a draft's media_id is
 * what an mpnews mass send takes. Field limits from WeChat's draft_add page
 * (developers.weixin.qq.com, 新增草稿): title ≤ 32 characters, author ≤ 16, digest ≤ 128,
 * content under 20,000 characters and 1 MB, content_source_url ≤ 1 KB, thumb_media_id a
 * permanent image id, crops as `X1_Y1_X2_Y2` in [0, 1]. The page names no errcode per field;
 * the sandbox answers WeChat's global ones (45003 title, 45004 description, 45005 link,
 * 45002 content, 45110 author).
 */
const MAX_ARTICLES = 8;
const MAX_PAGE = 20;
const LIMITS = [
  { field: 'title', max: 32, errcode: 45003 },
  { field: 'author', max: 16, errcode: 45110 },
  { field: 'digest', max: 128, errcode: 45004 },
] as const;
const CROP = /^(0(?:\.\d+)?|1(?:\.0+)?)_(0(?:\.\d+)?|1(?:\.0+)?)_(0(?:\.\d+)?|1(?:\.0+)?)_(0(?:\.\d+)?|1(?:\.0+)?)$/;

function optionalText(article: Record<string, unknown>, field: string, at: string): string | undefined {
  const value = article[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new WeChatError(40097, `${at}.${field}`);
  return value;
}

function flag(article: Record<string, unknown>, field: string, at: string): 0 | 1 | undefined {
  const value = article[field];
  if (value === undefined) return undefined;
  if (value !== 0 && value !== 1) throw new WeChatError(40097, `${at}.${field} must be 0 or 1`);
  return value;
}

function crop(article: Record<string, unknown>, field: string, at: string): string | undefined {
  const value = optionalText(article, field, at);
  if (value === undefined) return undefined;
  const match = CROP.exec(value);
  const [x1, y1, x2, y2] = (match?.slice(1) ?? []).map(Number);
  if (!match || !(x1! < x2!) || !(y1! < y2!)) throw new WeChatError(40097, `${at}.${field} must be X1_Y1_X2_Y2`);
  return value;
}

function parseArticle(req: AuthedRequest, value: unknown, index: number): NewsArticle {
  const at = `articles[${index}]`;
  if (!isRecord(value)) throw new WeChatError(44003, at);
  if (value.article_type !== undefined && value.article_type !== 'news') {
    throw new WeChatError(40097, `${at}.article_type (the sandbox keeps news drafts only)`);
  }
  const title = optionalText(value, 'title', at);
  const content = optionalText(value, 'content', at);
  if (!title?.trim()) throw new WeChatError(44003, `${at}.title`);
  if (!content?.trim()) throw new WeChatError(44003, `${at}.content`);
  for (const { field, max, errcode } of LIMITS) {
    const text = optionalText(value, field, at);
    if (text !== undefined && [...text].length > max) throw new WeChatError(errcode, `${at}.${field} over ${max}`);
  }
  if (content.length >= 20_000 || Buffer.byteLength(content) >= 1024 * 1024) {
    throw new WeChatError(45002, `${at}.content`);
  }
  const source = optionalText(value, 'content_source_url', at);
  if (source !== undefined && Buffer.byteLength(source) > 1024)
    throw new WeChatError(45005, `${at}.content_source_url`);
  const thumb = req.state.media.findPermanent(
    req.appid,
    value.thumb_media_id,
    ['image', 'thumb'],
    `${at}.thumb_media_id`,
  );
  const article: NewsArticle = { title, content, thumbMediaId: thumb.mediaId };
  const author = optionalText(value, 'author', at);
  const digest = optionalText(value, 'digest', at);
  const needOpenComment = flag(value, 'need_open_comment', at);
  const onlyFansCanComment = flag(value, 'only_fans_can_comment', at);
  const picCrop2351 = crop(value, 'pic_crop_235_1', at);
  const picCrop11 = crop(value, 'pic_crop_1_1', at);
  return {
    ...article,
    ...(author === undefined ? {} : { author }),
    ...(digest === undefined ? {} : { digest }),
    ...(source === undefined ? {} : { contentSourceUrl: source }),
    ...(needOpenComment === undefined ? {} : { needOpenComment }),
    ...(onlyFansCanComment === undefined ? {} : { onlyFansCanComment }),
    ...(picCrop2351 === undefined ? {} : { picCrop2351 }),
    ...(picCrop11 === undefined ? {} : { picCrop11 }),
  };
}

export function addDraft(req: AuthedRequest): ApiBody {
  const { articles } = req.body;
  if (!Array.isArray(articles) || articles.length === 0) throw new WeChatError(44003, 'articles');
  if (articles.length > MAX_ARTICLES) throw new WeChatError(45008, 'articles');
  const draft = req.state.media.addDraft(
    req.appid,
    articles.map((a, i) => parseArticle(req, a, i)),
  );
  req.notes.push(`draft of ${articles.length} article(s)`);
  return { media_id: draft.mediaId };
}

function newsItems(record: MediaRecord, withContent: boolean) {
  return (record.articles ?? []).map((a) => ({
    article_type: 'news',
    title: a.title,
    author: a.author ?? '',
    digest: a.digest ?? '',
    ...(withContent ? { content: a.content } : {}),
    content_source_url: a.contentSourceUrl ?? '',
    thumb_media_id: a.thumbMediaId,
    need_open_comment: a.needOpenComment ?? 0,
    only_fans_can_comment: a.onlyFansCanComment ?? 0,
    ...(a.picCrop2351 ? { pic_crop_235_1: a.picCrop2351 } : {}),
    ...(a.picCrop11 ? { pic_crop_1_1: a.picCrop11 } : {}),
  }));
}

export function getDraft(req: AuthedRequest): ApiBody {
  const draft = req.state.media.findDraft(req.appid, req.body.media_id, 'media_id');
  return { news_item: newsItems(draft, true) };
}

export function batchGetDrafts(req: AuthedRequest): ApiBody {
  const { offset, count, no_content: noContent = 0 } = req.body;
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) throw new WeChatError(40097, 'offset');
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_PAGE) {
    throw new WeChatError(40097, 'count must be 1 to 20');
  }
  if (noContent !== 0 && noContent !== 1) throw new WeChatError(40097, 'no_content');
  const all = req.state.media.listOf(req.appid, ['draft'], ['news']);
  const page = all.slice(offset, offset + count);
  return {
    total_count: all.length,
    item_count: page.length,
    item: page.map((d) => ({
      media_id: d.mediaId,
      content: { news_item: newsItems(d, noContent === 0) },
      update_time: Math.floor((d.updatedAt ?? d.createdAt) / 1000),
    })),
  };
}

export function deleteDraft(req: AuthedRequest): ApiBody {
  const draft = req.state.media.findDraft(req.appid, req.body.media_id, 'media_id');
  req.state.media.remove(draft.mediaId);
  return { errcode: 0, errmsg: 'ok' };
}

export function countDrafts(req: AuthedRequest): ApiBody {
  return { total_count: req.state.media.listOf(req.appid, ['draft'], ['news']).length };
}
