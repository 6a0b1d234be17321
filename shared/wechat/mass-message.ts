import * as z from 'zod/mini';

/** Message objects exactly as WeChat's mass endpoints take them, keyed by `msgtype`. */
const mediaId = z.string().check(z.minLength(1));
const flag = z.union([z.literal(0), z.literal(1)]);

const mpnews = z.strictObject({
  msgtype: z.literal('mpnews'),
  mpnews: z.strictObject({ media_id: mediaId }),
  // Originality check: 1 continues when the article is judged a reprint that may be reprinted.
  send_ignore_reprint: z.optional(flag),
});
const text = z.strictObject({
  msgtype: z.literal('text'),
  text: z.strictObject({ content: z.string().check(z.minLength(1)) }),
});
const voice = z.strictObject({
  msgtype: z.literal('voice'),
  voice: z.strictObject({ media_id: mediaId }),
});
// sendall/send put images under `images` while msgtype stays "image" (a WeChat quirk).
const images = z.strictObject({
  msgtype: z.literal('image'),
  images: z.strictObject({
    media_ids: z.array(mediaId).check(z.minLength(1)),
    recommend: z.optional(z.string()),
    need_open_comment: z.optional(flag),
    only_fans_can_comment: z.optional(flag),
  }),
});
// preview takes a single image under `image`.
const image = z.strictObject({
  msgtype: z.literal('image'),
  image: z.strictObject({ media_id: mediaId }),
});
const mpvideo = z.strictObject({
  msgtype: z.literal('mpvideo'),
  mpvideo: z.strictObject({
    media_id: mediaId,
    title: z.optional(z.string()),
    description: z.optional(z.string()),
  }),
});
const wxcard = z.strictObject({
  msgtype: z.literal('wxcard'),
  // card_ext is itself a JSON string in WeChat's API.
  wxcard: z.strictObject({ card_id: z.string().check(z.minLength(1)), card_ext: z.optional(z.string()) }),
});

export const MassMessage = z.union([mpnews, text, voice, images, mpvideo, wxcard]);
export type MassMessage = z.infer<typeof MassMessage>;

export const PreviewMessage = z.union([mpnews, text, voice, image, mpvideo, wxcard]);
export type PreviewMessage = z.infer<typeof PreviewMessage>;
