import { randomBytes } from 'node:crypto';
import type { AccountSeed } from './accounts';
import type { SandboxClock } from './clock';
import { WeChatError } from './errors';

/**
 * Media ids exist only once uploaded (or seeded), belong to one account, and have a type:
 * mpnews needs a `news` id from uploadnews, mpvideo needs an `mpvideo` id from uploadvideo
 * (a raw video id is rejected with 40007, a classic SDK bug), images need image ids.
 * uploadnews material is temporary: WeChat keeps it 3 days.
 */
export type MediaType = 'image' | 'thumb' | 'voice' | 'video' | 'news' | 'mpvideo';

export interface NewsArticle {
  title: string;
  content: string;
  thumbMediaId: string;
  author?: string;
  digest?: string;
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
      this.put({ mediaId: media.image, appid, type: 'image', createdAt: at });
      this.put({ mediaId: media.thumb, appid, type: 'thumb', createdAt: at });
      this.put({ mediaId: media.voice, appid, type: 'voice', createdAt: at });
      this.put({ mediaId: media.video, appid, type: 'video', createdAt: at });
      this.put({
        mediaId: media.news,
        appid,
        type: 'news',
        createdAt: at,
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

  addNews(appid: string, articles: NewsArticle[]): MediaRecord {
    const now = this.clock.now();
    return this.put({
      mediaId: newMediaId(),
      appid,
      type: 'news',
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
