import { randomBytes } from 'node:crypto';
import type { AccountSeed } from './accounts';
import type { SandboxClock } from './clock';
import { WeChatError } from './errors';

/**
 * Media ids exist only once uploaded (or seeded), belong to one account, and have a type:
 * mpnews needs a `news` id from uploadnews or the draft box, mpvideo needs an `mpvideo` id
 * from uploadvideo (a raw video id is rejected with 40007, a classic SDK bug), images need
 * image ids. uploadnews and media/upload material is temporary: WeChat keeps it 3 days.
 * Permanent material (add_material) stays until del_material; a draft stays in the draft box
 * until it is deleted or mass sent ("被群发或发布后，该素材将从草稿箱中移除", draft/add).
 */
export type MediaType = 'image' | 'thumb' | 'voice' | 'video' | 'news' | 'mpvideo';

/** Where a record came from; `seed` counts as permanent material. */
export type MediaOrigin = 'seed' | 'material' | 'temporary' | 'uploadnews' | 'uploadvideo' | 'draft';

export interface NewsArticle {
  title: string;
  content: string;
  thumbMediaId: string;
  author?: string;
  digest?: string;
  contentSourceUrl?: string;
  needOpenComment?: 0 | 1;
  onlyFansCanComment?: 0 | 1;
  picCrop2351?: string;
  picCrop11?: string;
}

export interface MediaRecord {
  mediaId: string;
  appid: string;
  type: MediaType;
  createdAt: number;
  expiresAt?: number;
  articles?: NewsArticle[];
  title?: string;
  description?: string;
  sourceMediaId?: string;
  origin: MediaOrigin;
  /** Uploaded files: the name, size and the format recognised from the bytes. */
  name?: string;
  bytes?: number;
  format?: string;
  /** Permanent images: the URL WeChat answers with. */
  url?: string;
  updatedAt?: number;
  /** A draft that was mass sent: gone from the draft box, still valid for the sent message. */
  sentAt?: number;
}

export interface UploadedImage {
  appid: string;
  url: string;
  bytes: number;
  format: 'jpg' | 'png';
  createdAt: number;
}

const TEMPORARY_MEDIA_MS = 3 * 86_400_000;

export class MediaStore {
  private readonly records = new Map<string, MediaRecord>();
  readonly images: UploadedImage[] = [];

  constructor(private readonly clock: SandboxClock) {}

  seed(accounts: readonly AccountSeed[]): void {
    for (const account of accounts) {
      const { appid, media } = account;
      const at = this.clock.now();
      this.put({ mediaId: media.image, appid, type: 'image', createdAt: at, origin: 'seed' });
      this.put({ mediaId: media.thumb, appid, type: 'thumb', createdAt: at, origin: 'seed' });
      this.put({ mediaId: media.voice, appid, type: 'voice', createdAt: at, origin: 'seed' });
      this.put({ mediaId: media.video, appid, type: 'video', createdAt: at, origin: 'seed' });
      this.put({
        mediaId: media.news,
        appid,
        type: 'news',
        createdAt: at,
        origin: 'seed',
        articles: [
          { title: 'Welcome to the sandbox', content: '<p>Hello from the sandbox.</p>', thumbMediaId: media.thumb },
          { title: 'Second article', content: '<p>More news.</p>', thumbMediaId: media.thumb },
        ],
      });
      this.put({
        mediaId: media.mpvideo,
        appid,
        type: 'mpvideo',
        createdAt: at,
        origin: 'seed',
        title: 'Sandbox video',
        description: 'A seeded video',
        sourceMediaId: media.video,
      });
    }
  }

  /** The record, if it belongs to `appid`, has one of `types` and has not expired; else 40007. */
  find(appid: string, mediaId: unknown, types: readonly MediaType[], field: string): MediaRecord {
    if (typeof mediaId !== 'string' || mediaId === '') throw new WeChatError(40007, field);
    const record = this.records.get(mediaId);
    const expired = record?.expiresAt !== undefined && this.clock.now() >= record.expiresAt;
    if (!record || record.appid !== appid || expired || !types.includes(record.type)) {
      throw new WeChatError(40007, field);
    }
    return record;
  }

  /** Permanent material of `appid` (seeded or from add_material) with one of `types`; else 40007. */
  findPermanent(appid: string, mediaId: unknown, types: readonly MediaType[], field: string): MediaRecord {
    const record = this.find(appid, mediaId, types, field);
    if (record.origin !== 'seed' && record.origin !== 'material') throw new WeChatError(40007, field);
    return record;
  }

  /** A draft still in the draft box of `appid`; else 40007. */
  findDraft(appid: string, mediaId: unknown, field: string): MediaRecord {
    const record = this.find(appid, mediaId, ['news'], field);
    if (record.origin !== 'draft' || record.sentAt !== undefined) throw new WeChatError(40007, field);
    return record;
  }

  addFile(
    appid: string,
    type: Exclude<MediaType, 'news' | 'mpvideo'>,
    permanent: boolean,
    file: { name: string; bytes: number; format: string },
    extra: { title?: string; description?: string } = {},
  ): MediaRecord {
    const now = this.clock.now();
    const mediaId = newMediaId();
    const path = randomBytes(24).toString('base64url');
    return this.put({
      mediaId,
      appid,
      type,
      origin: permanent ? 'material' : 'temporary',
      createdAt: now,
      updatedAt: now,
      ...(permanent ? {} : { expiresAt: now + TEMPORARY_MEDIA_MS }),
      ...file,
      ...extra,
      ...(permanent && type === 'image'
        ? { url: `http://mmbiz.qpic.cn/sz_mmbiz_${file.format}/${path}/0?wx_fmt=${file.format}` }
        : {}),
    });
  }

  addDraft(appid: string, articles: NewsArticle[]): MediaRecord {
    const now = this.clock.now();
    return this.put({
      mediaId: newMediaId(),
      appid,
      type: 'news',
      origin: 'draft',
      createdAt: now,
      updatedAt: now,
      articles,
    });
  }

  /** Every live record of `appid` from `origins`, newest first. */
  listOf(appid: string, origins: readonly MediaOrigin[], types: readonly MediaType[]): MediaRecord[] {
    const now = this.clock.now();
    return [...this.records.values()]
      .filter(
        (r) =>
          r.appid === appid &&
          origins.includes(r.origin) &&
          types.includes(r.type) &&
          r.sentAt === undefined &&
          (r.expiresAt === undefined || now < r.expiresAt),
      )
      .reverse();
  }

  /** A draft that went out in a mass send leaves the draft box (draft/add: 被群发后从草稿箱中移除). */
  markSent(mediaId: string): void {
    const record = this.records.get(mediaId);
    if (record?.origin === 'draft') record.sentAt = this.clock.now();
  }

  remove(mediaId: string): void {
    this.records.delete(mediaId);
  }

  addNews(appid: string, articles: NewsArticle[]): MediaRecord {
    const now = this.clock.now();
    return this.put({
      mediaId: newMediaId(),
      appid,
      type: 'news',
      origin: 'uploadnews',
      createdAt: now,
      expiresAt: now + TEMPORARY_MEDIA_MS,
      articles,
    });
  }

  addMpvideo(appid: string, source: MediaRecord, title: string, description: string): MediaRecord {
    const now = this.clock.now();
    return this.put({
      mediaId: newMediaId(),
      appid,
      type: 'mpvideo',
      origin: 'uploadvideo',
      createdAt: now,
      expiresAt: now + TEMPORARY_MEDIA_MS,
      title,
      description,
      sourceMediaId: source.mediaId,
    });
  }

  addImage(appid: string, format: 'jpg' | 'png', bytes: number): UploadedImage {
    const path = randomBytes(24).toString('base64url');
    const url = `http://mmbiz.qpic.cn/sz_mmbiz_${format}/${path}/0?wx_fmt=${format === 'jpg' ? 'jpeg' : 'png'}`;
    const image: UploadedImage = { appid, url, bytes, format, createdAt: this.clock.now() };
    this.images.push(image);
    return image;
  }

  list(): MediaRecord[] {
    return [...this.records.values()];
  }

  clear(): void {
    this.records.clear();
    this.images.length = 0;
  }

  private put(record: MediaRecord): MediaRecord {
    this.records.set(record.mediaId, record);
    return record;
  }
}

function newMediaId(): string {
  return randomBytes(48).toString('base64url');
}
