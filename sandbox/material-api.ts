import type { ApiBody, AuthedRequest } from './api-types';
import { WeChatError } from './errors';
import type { MediaRecord } from './media';
import { isRecord } from './message-content';
import { PERMANENT_RULES, sniffFormat, TEMPORARY_RULES, UPLOAD_TYPES, type UploadType } from './media-formats';
import { findFormField, findFormFile } from './multipart';

/**
 * Permanent material (`material/add_material`, `batchget_material`, `get_materialcount`,
 * `del_material`) and temporary material (`media/upload`, kept 3 days). Both take the file as
 * the multipart field `media` and the type in the query; a video for add_material also takes a
 * `description` field holding JSON `{title, introduction}`.
 */
const MAX_PAGE = 20;

function uploadType(req: AuthedRequest): UploadType {
  const type = req.query.get('type');
  if (!UPLOAD_TYPES.includes(type as UploadType)) throw new WeChatError(40004, 'type');
  return type as UploadType;
}

function readUpload(req: AuthedRequest, permanent: boolean) {
  const type = uploadType(req);
  const file = findFormFile(req.headers['content-type'], req.raw, 'media');
  if (!file || file.data.length === 0) throw new WeChatError(41005, 'media');
  const rule = (permanent ? PERMANENT_RULES : TEMPORARY_RULES)[type];
  const format = sniffFormat(file.data);
  if (!format || !rule.formats.includes(format)) {
    throw new WeChatError(40005, `${type} must be ${rule.formats.join('/')}`);
  }
  if (file.data.length > rule.maxBytes) throw new WeChatError(40006, `${type} must be at most ${rule.maxBytes} bytes`);
  req.notes.push(`${type} ${format} ${file.data.length} bytes`);
  return { type, file: { name: file.filename ?? 'media', bytes: file.data.length, format } };
}

function videoDescription(req: AuthedRequest): { title?: string; description?: string } {
  const text = findFormField(req.headers['content-type'], req.raw, 'description');
  if (text === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new WeChatError(40097, 'description must be JSON');
  }
  if (!isRecord(parsed)) throw new WeChatError(40097, 'description');
  const { title, introduction } = parsed;
  if (title !== undefined && typeof title !== 'string') throw new WeChatError(40097, 'description.title');
  if (introduction !== undefined && typeof introduction !== 'string') {
    throw new WeChatError(40097, 'description.introduction');
  }
  return {
    ...(title === undefined ? {} : { title }),
    ...(introduction === undefined ? {} : { description: introduction }),
  };
}

export function addMaterial(req: AuthedRequest): ApiBody {
  const { type, file } = readUpload(req, true);
  const extra = type === 'video' ? videoDescription(req) : {};
  const record = req.state.media.addFile(req.appid, type, true, file, extra);
  return { media_id: record.mediaId, ...(record.url ? { url: record.url } : {}) };
}

export function uploadTemporary(req: AuthedRequest): ApiBody {
  const { type, file } = readUpload(req, false);
  const record = req.state.media.addFile(req.appid, type, false, file);
  const createdAt = Math.floor(record.createdAt / 1000);
  // WeChat answers a thumb with thumb_media_id, not the media_id its page shows (three SDKs
  // fixed their parsers for it: silenceper/wechat#14, JeffreySu/WeiXinMPSDK#32,
  // grossopa/weixin-mp-java#7).
  if (type === 'thumb') return { type, thumb_media_id: record.mediaId, created_at: createdAt };
  return { type, media_id: record.mediaId, created_at: createdAt };
}

// Thumbs are listed and counted with images: batchget_material and get_materialcount know only
// image, video, voice and news.
const LISTED: Readonly<Record<string, MediaRecord['type'][]>> = {
  image: ['image', 'thumb'],
  video: ['video'],
  voice: ['voice'],
  news: ['news'],
};

function permanentOf(req: AuthedRequest, listType: string): MediaRecord[] {
  return req.state.media.listOf(req.appid, ['seed', 'material'], LISTED[listType] ?? []);
}

export function batchGetMaterial(req: AuthedRequest): ApiBody {
  const { type, offset, count } = req.body;
  if (typeof type !== 'string' || !(type in LISTED)) throw new WeChatError(40004, 'type');
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) throw new WeChatError(40097, 'offset');
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_PAGE) {
    throw new WeChatError(40097, 'count must be 1 to 20');
  }
  const all = permanentOf(req, type);
  const page = all.slice(offset, offset + count);
  return {
    total_count: all.length,
    item_count: page.length,
    item: page.map((r) =>
      type === 'news'
        ? {
            media_id: r.mediaId,
            content: { news_item: (r.articles ?? []).map((a) => ({ title: a.title, thumb_media_id: a.thumbMediaId })) },
            update_time: Math.floor((r.updatedAt ?? r.createdAt) / 1000),
          }
        : {
            media_id: r.mediaId,
            name: r.name ?? `${r.type}.${r.format ?? 'bin'}`,
            update_time: Math.floor((r.updatedAt ?? r.createdAt) / 1000),
            ...(r.url ? { url: r.url } : {}),
          },
    ),
  };
}

export function getMaterialCount(req: AuthedRequest): ApiBody {
  return {
    voice_count: permanentOf(req, 'voice').length,
    video_count: permanentOf(req, 'video').length,
    image_count: permanentOf(req, 'image').length,
    news_count: permanentOf(req, 'news').length,
  };
}

export function delMaterial(req: AuthedRequest): ApiBody {
  const record = req.state.media.findPermanent(
    req.appid,
    req.body.media_id,
    ['image', 'thumb', 'voice', 'video', 'news'],
    'media_id',
  );
  req.state.media.remove(record.mediaId);
  return { errcode: 0, errmsg: 'ok' };
}
