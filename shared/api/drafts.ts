import type { WeChatClient } from '../wechat/client';
import {
  draftAdd,
  draftBatchGet,
  draftDelete,
  draftGet,
  type DraftArticle as WeChatDraftArticle,
  type DraftNewsItem,
} from '../wechat/endpoints';
import type { MediaId } from './ids';
import type {
  CoverCrop,
  CreateDraftRequest,
  CreateDraftResponse,
  DeletedResponse,
  DraftArticle,
  DraftArticleInput,
  DraftListQuery,
  DraftListResponse,
  DraftResponse,
} from './material-schemas';
import { callWeChat } from './call-wechat';
import { ARTICLE_FIELDS } from './wechat-errors';
import { compact, flag } from './wechat-shape';

/**
 * The draft box: WeChat's replacement for uploadnews. A draft's media_id is what an mpnews send
 * takes; once mass sent, WeChat removes the draft from the box (draft_add: 被群发后从草稿箱中移除).
 */
export interface DraftDeps {
  client: WeChatClient;
}

// WeChat's crop string: X1_Y1_X2_Y2, fractions of the cover from its top-left corner.
const toCropText = (crop: CoverCrop | undefined) =>
  crop === undefined ? undefined : [crop.x1, crop.y1, crop.x2, crop.y2].map((n) => String(n)).join('_');

function fromCropText(text: string | undefined): CoverCrop | undefined {
  const parts = text?.split('_').map(Number);
  if (parts?.length !== 4 || parts.some((n) => !Number.isFinite(n))) return undefined;
  const [x1, y1, x2, y2] = parts as [number, number, number, number];
  return { x1, y1, x2, y2 };
}

function toWeChatArticle(article: DraftArticleInput): WeChatDraftArticle {
  return compact({
    article_type: 'news' as const,
    title: article.title,
    author: article.author,
    digest: article.digest,
    content: article.content,
    content_source_url: article.contentSourceUrl,
    thumb_media_id: article.thumbMediaId,
    need_open_comment: flag(article.needOpenComment),
    only_fans_can_comment: flag(article.onlyFansCanComment),
    pic_crop_235_1: toCropText(article.coverCrops?.wide),
    pic_crop_1_1: toCropText(article.coverCrops?.square),
  });
}

function fromNewsItem(item: DraftNewsItem): DraftArticle {
  const wide = fromCropText(item.pic_crop_235_1);
  const square = fromCropText(item.pic_crop_1_1);
  return {
    title: item.title,
    ...(item.thumb_media_id ? { thumbMediaId: item.thumb_media_id } : {}),
    ...(item.author ? { author: item.author } : {}),
    ...(item.digest ? { digest: item.digest } : {}),
    ...(item.content === undefined ? {} : { content: item.content }),
    ...(item.content_source_url ? { contentSourceUrl: item.content_source_url } : {}),
    needOpenComment: item.need_open_comment === 1,
    onlyFansCanComment: item.only_fans_can_comment === 1,
    ...(wide || square ? { coverCrops: { ...(wide ? { wide } : {}), ...(square ? { square } : {}) } } : {}),
    ...(item.url ? { url: item.url } : {}),
  };
}

export async function createDraft(deps: DraftDeps, request: CreateDraftRequest): Promise<CreateDraftResponse> {
  const reply = await callWeChat(
    deps.client,
    draftAdd,
    { articles: request.articles.map(toWeChatArticle) },
    ARTICLE_FIELDS,
  );
  return { mediaId: reply.media_id as MediaId };
}

export async function getDraft(deps: DraftDeps, mediaId: MediaId): Promise<DraftResponse> {
  const reply = await callWeChat(deps.client, draftGet, { media_id: mediaId }, { mediaId: 'mediaId' });
  return { mediaId, articles: reply.news_item.map(fromNewsItem) };
}

export async function listDrafts(deps: DraftDeps, query: DraftListQuery): Promise<DraftListResponse> {
  const reply = await callWeChat(deps.client, draftBatchGet, {
    offset: Number(query.offset ?? 0),
    count: Number(query.count ?? 20),
    no_content: query.withContent === 'false' ? 1 : 0,
  });
  return {
    totalCount: reply.total_count,
    itemCount: reply.item_count,
    items: reply.item.map((item) => ({
      mediaId: item.media_id as MediaId,
      ...(item.update_time === undefined ? {} : { updateTime: item.update_time }),
      articles: item.content.news_item.map(fromNewsItem),
    })),
  };
}

export async function deleteDraft(deps: DraftDeps, mediaId: MediaId): Promise<DeletedResponse> {
  await callWeChat(deps.client, draftDelete, { media_id: mediaId }, { mediaId: 'mediaId' });
  return { deleted: true };
}
