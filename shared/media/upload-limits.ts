import type { MediaFormat } from './media-format';

/**
 * What WeChat accepts per upload kind, checked before calling it. Sources, each stated in the
 * README too:
 * - permanent (material/add_material): WeChat's add_material page, 注意事项: image 10 MB
 *   bmp/png/jpeg/jpg/gif, voice 2 MB mp3/wma/wav/amr (60 s), video 10 MB mp4, thumb 64 KB jpg.
 *   The reference seed 003 quotes an older page (image 2 MB, voice 5 MB); WeChat's current page
 *   wins.
 * - temporary (media/upload): WeChat's uploadTempMedia page: image png/jpeg/jpg/gif, voice 2 MB
 *   amr/mp3, video 10 MB mp4, thumb 64 KB jpg. For images the page says 2 MB in its notes and
 *   10 MB further down; the seed says 2 MB: the stricter 2 MB is kept.
 * - article images (media/uploadimg): jpg/png below 1 MB (reference page and seed 003).
 */
export type UploadKind = 'image' | 'voice' | 'video' | 'thumb';
export type Lifetime = 'permanent' | 'temporary';

export interface UploadRule {
  maxBytes: number;
  formats: ReadonlyArray<MediaFormat['name']>;
  /** How the limit reads in an answer: "10 MB". */
  sizeText: string;
}

const MB = 1024 * 1024;

export const UPLOAD_RULES: Readonly<Record<Lifetime, Readonly<Record<UploadKind, UploadRule>>>> = {
  permanent: {
    image: { maxBytes: 10 * MB, formats: ['bmp', 'png', 'jpeg', 'gif'], sizeText: '10 MB' },
    voice: { maxBytes: 2 * MB, formats: ['mp3', 'wma', 'wav', 'amr'], sizeText: '2 MB' },
    video: { maxBytes: 10 * MB, formats: ['mp4'], sizeText: '10 MB' },
    thumb: { maxBytes: 64 * 1024, formats: ['jpeg'], sizeText: '64 KB' },
  },
  temporary: {
    image: { maxBytes: 2 * MB, formats: ['png', 'jpeg', 'gif'], sizeText: '2 MB' },
    voice: { maxBytes: 2 * MB, formats: ['amr', 'mp3'], sizeText: '2 MB' },
    video: { maxBytes: 10 * MB, formats: ['mp4'], sizeText: '10 MB' },
    thumb: { maxBytes: 64 * 1024, formats: ['jpeg'], sizeText: '64 KB' },
  },
};

// uploadimg takes jpg/png below 1 MB; its URL is the only image source article content may use.
export const ARTICLE_IMAGE_RULE: UploadRule = { maxBytes: MB - 1, formats: ['jpeg', 'png'], sizeText: 'below 1 MB' };

/** Temporary material lives 3 days at WeChat (media/upload: 媒体文件在微信后台保存时间为3天). */
export const TEMPORARY_MEDIA_LIFETIME_MS = 3 * 86_400_000;
