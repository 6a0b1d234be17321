import * as z from 'zod/mini';
import { MediaId } from './ids';

/**
 * Request and answer bodies of the material, temporary media and draft routes. Field limits
 * come from WeChat's draft_add page (新增草稿): title ≤ 32 characters, author ≤ 16, digest
 * ≤ 128, content under 20,000 characters and 1 MB, content_source_url ≤ 1 KB.
 */
export const UploadTypeParams = z.object({ type: z.enum(['image', 'voice', 'video', 'thumb']) });
export type UploadTypeParams = z.infer<typeof UploadTypeParams>;

export const MediaIdQuery = z.object({ mediaId: MediaId });
export type MediaIdQuery = z.infer<typeof MediaIdQuery>;

export const MediaIdRequest = z.strictObject({ mediaId: MediaId });
export type MediaIdRequest = z.infer<typeof MediaIdRequest>;

export const MaterialUploadResponse = z.strictObject({
  mediaId: MediaId,
  type: z.string(),
  /** Permanent images only: WeChat's URL, usable on Tencent domains (and in article content). */
  url: z.optional(z.string()),
});
export type MaterialUploadResponse = z.infer<typeof MaterialUploadResponse>;

export const TemporaryMediaResponse = z.strictObject({
  mediaId: MediaId,
  type: z.string(),
  /** Unix seconds, as WeChat gives them. */
  createdAt: z.number(),
  /** Unix seconds: WeChat keeps temporary media 3 days. */
  expiresAt: z.number(),
});
export type TemporaryMediaResponse = z.infer<typeof TemporaryMediaResponse>;

/* @__NO_SIDE_EFFECTS__ */
const digits = (name: string) => z.string().check(z.regex(/^\d{1,6}$/, `${name} must be a whole number`));

export const PageQuery = z.object({
  offset: z.optional(digits('offset')),
  count: z.optional(
    digits('count').check(z.refine((v) => Number(v) >= 1 && Number(v) <= 20, 'must be 1 to 20 (WeChat pages by 20)')),
  ),
});

export const MaterialListQuery = z.object({
  type: z.enum(['image', 'video', 'voice', 'news']),
  ...PageQuery.shape,
});
export type MaterialListQuery = z.infer<typeof MaterialListQuery>;

export const MaterialListResponse = z.strictObject({
  totalCount: z.number(),
  itemCount: z.number(),
  items: z.array(
    z.strictObject({
      mediaId: MediaId,
      name: z.optional(z.string()),
      /** Unix seconds. */
      updateTime: z.optional(z.number()),
      url: z.optional(z.string()),
    }),
  ),
});
export type MaterialListResponse = z.infer<typeof MaterialListResponse>;

export const MaterialCountResponse = z.strictObject({
  image: z.number(),
  voice: z.number(),
  video: z.number(),
  news: z.number(),
});
export type MaterialCountResponse = z.infer<typeof MaterialCountResponse>;

export const DeletedResponse = z.strictObject({ deleted: z.literal(true) });
export type DeletedResponse = z.infer<typeof DeletedResponse>;

/* @__NO_SIDE_EFFECTS__ */
const chars = (max: number) =>
  z.string().check(z.refine((v) => [...v].length <= max, `must be at most ${max} characters`));
const unit = z.number().check(z.minimum(0, 'must be 0 to 1'), z.maximum(1, 'must be 0 to 1'));

/** A crop of the cover as fractions of the image: (x1, y1) top left, (x2, y2) bottom right. */
export const CoverCrop = z
  .strictObject({ x1: unit, y1: unit, x2: unit, y2: unit })
  .check(z.refine((c) => c.x1 < c.x2 && c.y1 < c.y2, 'must have x1 < x2 and y1 < y2'));
export type CoverCrop = z.infer<typeof CoverCrop>;

export const DraftArticleInput = z.strictObject({
  /** A permanent image or thumb (POST /media/material/image|thumb); WeChat refuses temporary ones. */
  thumbMediaId: MediaId,
  title: chars(32).check(z.refine((v) => v.trim() !== '', 'must not be empty')),
  content: z.string().check(
    z.refine((v) => v.trim() !== '', 'must not be empty'),
    z.refine((v) => v.length < 20_000, 'must be under 20,000 characters'),
    z.refine((v) => Buffer.byteLength(v) < 1024 * 1024, 'must be under 1 MB'),
  ),
  author: z.optional(chars(16)),
  digest: z.optional(chars(128)),
  contentSourceUrl: z.optional(z.string().check(z.refine((v) => Buffer.byteLength(v) <= 1024, 'must be at most 1 KB'))),
  needOpenComment: z.optional(z.boolean()),
  onlyFansCanComment: z.optional(z.boolean()),
  /** `wide` is WeChat's 2.35:1 crop (pic_crop_235_1), `square` its 1:1 crop (pic_crop_1_1). */
  coverCrops: z.optional(z.strictObject({ wide: z.optional(CoverCrop), square: z.optional(CoverCrop) })),
});
export type DraftArticleInput = z.infer<typeof DraftArticleInput>;

export const CreateDraftRequest = z.strictObject({
  articles: z
    .array(DraftArticleInput)
    .check(z.minLength(1, 'must hold at least one article'), z.maxLength(8, 'must hold at most 8 articles')),
});
export type CreateDraftRequest = z.infer<typeof CreateDraftRequest>;

export const DraftArticle = z.strictObject({
  title: z.string(),
  thumbMediaId: z.optional(z.string()),
  author: z.optional(z.string()),
  digest: z.optional(z.string()),
  content: z.optional(z.string()),
  contentSourceUrl: z.optional(z.string()),
  needOpenComment: z.boolean(),
  onlyFansCanComment: z.boolean(),
  coverCrops: z.optional(z.strictObject({ wide: z.optional(CoverCrop), square: z.optional(CoverCrop) })),
  url: z.optional(z.string()),
});
export type DraftArticle = z.infer<typeof DraftArticle>;

export const DraftResponse = z.strictObject({ mediaId: MediaId, articles: z.array(DraftArticle) });
export type DraftResponse = z.infer<typeof DraftResponse>;

export const CreateDraftResponse = z.strictObject({ mediaId: MediaId });
export type CreateDraftResponse = z.infer<typeof CreateDraftResponse>;

export const DraftListQuery = z.object({
  ...PageQuery.shape,
  /** `false` leaves each article's content out (WeChat's no_content). */
  withContent: z.optional(z.enum(['true', 'false'])),
});
export type DraftListQuery = z.infer<typeof DraftListQuery>;

export const DraftListResponse = z.strictObject({
  totalCount: z.number(),
  itemCount: z.number(),
  items: z.array(
    z.strictObject({ mediaId: MediaId, updateTime: z.optional(z.number()), articles: z.array(DraftArticle) }),
  ),
});
export type DraftListResponse = z.infer<typeof DraftListResponse>;
