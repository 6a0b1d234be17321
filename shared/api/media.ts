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
import { toHttpError } from './wechat-errors';
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
  try {
    return mediaIdAnswer(await deps.client.call(uploadNews, { articles: request.articles.map(toNewsArticle) }));
  } catch (err) {
    throw toHttpError(err, {
      mediaId: 'articles[].thumbMediaId',
      title: 'articles[].title',
      author: 'articles[].author',
      digest: 'articles[].digest',
      content: 'articles[].content',
      contentSourceUrl: 'articles[].contentSourceUrl',
      articles: 'articles',
    });
  }
}

/** An uploaded video's media_id → the one a mass send accepts; the original gives 40007. */
export async function convertVideo(deps: MediaDeps, request: MediaVideoRequest): Promise<MediaIdResponse> {
  try {
    const body = { media_id: request.mediaId, title: request.title ?? '', description: request.description ?? '' };
    return mediaIdAnswer(await deps.client.call(uploadVideo, body));
  } catch (err) {
    // uploadvideo's description is refused with 45004, the digest code.
    throw toHttpError(err, { mediaId: 'mediaId', title: 'title', digest: 'description' });
  }
}

/**
 * An image for article content (uploadimg: jpg/png below 1 MB) → its URL, the only image
 * source article HTML may use. Raw body, multipart form or `{sourceUrl}` (upload-input.ts).
 */
export async function uploadArticleImage(deps: MediaDeps, request: ApiRequest): Promise<MediaImageResponse> {
  const file = await readUpload(request, ARTICLE_IMAGE_RULE, deps);
  try {
    const reply = await deps.client.call(uploadImage, {
      media: {
        filename: uploadFilename(file, 'image'),
        contentType: file.format.contentType,
        data: new Uint8Array(file.data),
      },
    });
    return { url: reply.url };
  } catch (err) {
    throw toHttpError(err, { media: file.path });
  }
}
