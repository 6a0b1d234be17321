import type { ApiRequest } from '../http/api-gateway';
import { readUpload, uploadFilename, type UploadDeps } from '../media/upload-input';
import { TEMPORARY_MEDIA_LIFETIME_MS, UPLOAD_RULES, type UploadKind } from '../media/upload-limits';
import type { WeChatClient } from '../wechat/client';
import {
  addMaterial,
  batchGetMaterial,
  delMaterial,
  getMaterialCount,
  uploadTemporaryMedia,
} from '../wechat/endpoints';
import type { MediaId } from './ids';
import type {
  DeletedResponse,
  MaterialCountResponse,
  MaterialListQuery,
  MaterialListResponse,
  MaterialUploadResponse,
  TemporaryMediaResponse,
} from './material-schemas';
import { callWeChat } from './call-wechat';

/**
 * Permanent material (kept until deleted; what image, voice and video mass sends and a draft's
 * cover need) and temporary material (kept 3 days by WeChat).
 */
export interface MaterialDeps extends UploadDeps {
  client: WeChatClient;
}

const UPLOAD_FIELDS = { media: 'media', mediaType: 'type' } as const;

/** A video's `{title, introduction}`: WeChat wants them as a JSON text field `description`. */
function videoDescription(fields: Record<string, string>): string | undefined {
  const { title, introduction } = fields;
  if (title === undefined && introduction === undefined) return undefined;
  return JSON.stringify({ title: title ?? '', introduction: introduction ?? '' });
}

export async function uploadPermanentMaterial(
  deps: MaterialDeps,
  type: UploadKind,
  request: ApiRequest,
): Promise<MaterialUploadResponse> {
  const file = await readUpload(request, UPLOAD_RULES.permanent[type], deps);
  const description = type === 'video' ? videoDescription(file.fields) : undefined;
  const reply = await callWeChat(
    deps.client,
    addMaterial,
    {
      type,
      media: {
        filename: uploadFilename(file, type),
        contentType: file.format.contentType,
        data: new Uint8Array(file.data),
      },
      ...(description === undefined ? {} : { description }),
    },
    { ...UPLOAD_FIELDS, media: file.path },
  );
  return { mediaId: reply.media_id as MediaId, type, ...(reply.url ? { url: reply.url } : {}) };
}

export async function uploadTemporaryMaterial(
  deps: MaterialDeps,
  type: UploadKind,
  request: ApiRequest,
): Promise<TemporaryMediaResponse> {
  const file = await readUpload(request, UPLOAD_RULES.temporary[type], deps);
  const reply = await callWeChat(
    deps.client,
    uploadTemporaryMedia,
    {
      type,
      media: {
        filename: uploadFilename(file, type),
        contentType: file.format.contentType,
        data: new Uint8Array(file.data),
      },
    },
    { ...UPLOAD_FIELDS, media: file.path },
  );
  return {
    // The reply schema holds one of the two (a thumb's comes as thumb_media_id).
    mediaId: (reply.media_id ?? reply.thumb_media_id) as MediaId,
    type: reply.type ?? type,
    createdAt: reply.created_at,
    expiresAt: reply.created_at + TEMPORARY_MEDIA_LIFETIME_MS / 1000,
  };
}

export async function listMaterial(deps: MaterialDeps, query: MaterialListQuery): Promise<MaterialListResponse> {
  const reply = await callWeChat(
    deps.client,
    batchGetMaterial,
    {
      type: query.type,
      offset: Number(query.offset ?? 0),
      count: Number(query.count ?? 20),
    },
    { mediaType: 'type' },
  );
  return {
    totalCount: reply.total_count,
    itemCount: reply.item_count,
    items: reply.item.map((item) => ({
      mediaId: item.media_id as MediaId,
      ...(item.name === undefined ? {} : { name: item.name }),
      ...(item.update_time === undefined ? {} : { updateTime: item.update_time }),
      ...(item.url ? { url: item.url } : {}),
    })),
  };
}

export async function countMaterial(deps: MaterialDeps): Promise<MaterialCountResponse> {
  const reply = await callWeChat(deps.client, getMaterialCount, {});
  return { image: reply.image_count, voice: reply.voice_count, video: reply.video_count, news: reply.news_count };
}

export async function deleteMaterial(deps: MaterialDeps, mediaId: MediaId): Promise<DeletedResponse> {
  await callWeChat(deps.client, delMaterial, { media_id: mediaId }, { mediaId: 'mediaId' });
  return { deleted: true };
}
