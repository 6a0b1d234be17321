import type { ApiRequest } from '../http/api-gateway';
import { readUpload, uploadFilename, type UploadDeps } from '../media/upload-input';
import { ARTICLE_IMAGE_RULE } from '../media/upload-limits';
import type { WeChatClient } from '../wechat/client';
import { uploadImage, uploadNews, uploadVideo, type NewsArticle } from '../wechat/endpoints';
import type { MediaId } from './ids';
import type {
  MediaIdResponse,
  MediaImageResponse,
  MediaNewsRequest,
  MediaVideoRequest,
  NewsArticleInput,
} from './schemas';
import { callWeChat } from './call-wechat';
import { ARTICLE_FIELDS } from './wechat-errors';
import { compact, flag } from './wechat-shape';

export interface MediaDeps extends UploadDeps {
  client: WeChatClient;
}

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
export async function uploadNewsArticles(deps: MediaDeps, request: MediaNewsRequest): Promise<MediaIdResponse> {
  const reply = await callWeChat(
    deps.client,
    uploadNews,
    { articles: request.articles.map(toNewsArticle) },
    ARTICLE_FIELDS,
  );
  return mediaIdAnswer(reply);
}

/** An uploaded video's media_id → the one a mass send accepts; the original gives 40007. */
export async function convertVideo(deps: MediaDeps, request: MediaVideoRequest): Promise<MediaIdResponse> {
  const body = { media_id: request.mediaId, title: request.title ?? '', description: request.description ?? '' };
  // uploadvideo's description is refused with 45004, the digest code.
  const fields = { mediaId: 'mediaId', title: 'title', digest: 'description' };
  return mediaIdAnswer(await callWeChat(deps.client, uploadVideo, body, fields));
}

/**
 * An image for article content (uploadimg: jpg/png below 1 MB) → its URL, the only image
 * source article HTML may use. Raw body, multipart form or `{sourceUrl}` (upload-input.ts).
 */
export async function uploadArticleImage(deps: MediaDeps, request: ApiRequest): Promise<MediaImageResponse> {
  const file = await readUpload(request, ARTICLE_IMAGE_RULE, deps);
  const media = {
    filename: uploadFilename(file, 'image'),
    contentType: file.format.contentType,
    data: new Uint8Array(file.data),
  };
  const reply = await callWeChat(deps.client, uploadImage, { media }, { media: file.path });
  return { url: reply.url };
}
