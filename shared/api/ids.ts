import * as z from 'zod/mini';

/**
 * Identifiers as callers send them. OpenIDs are 28 characters of [A-Za-z0-9_-] in practice;
 * WeChat does not promise the length, so the check is loose enough to survive a change and
 * strict enough to catch a pasted name, a UnionID with spaces or an empty string.
 */
export const OpenId = z
  .string()
  .check(z.regex(/^[A-Za-z0-9_-]{6,64}$/, 'must be an OpenID: 6 to 64 characters of A-Z, a-z, 0-9, _ or -'))
  .brand<'OpenId'>();
export type OpenId = z.infer<typeof OpenId>;

export const MediaId = z
  .string()
  .check(z.minLength(1, 'must not be empty'), z.maxLength(256, 'is too long for a media_id'))
  .brand<'MediaId'>();
export type MediaId = z.infer<typeof MediaId>;

// One msg_id schema for the API, WeChat's replies and the callback.
export { MsgId } from '../wechat/msg-id';

// WeChat limits clientmsgid to 64 bytes (errcode 45067); UTF-8 bytes, not characters.
export const MAX_CLIENT_MSG_ID_BYTES = 64;

export const ClientMsgId = z.string().check(
  z.minLength(1, 'must not be empty'),
  z.maxLength(MAX_CLIENT_MSG_ID_BYTES, `must be at most ${MAX_CLIENT_MSG_ID_BYTES} bytes in UTF-8`),
  // Multi-byte characters: fewer than 64 characters can still exceed 64 bytes.
  z.refine(
    (value) => value.length > MAX_CLIENT_MSG_ID_BYTES || Buffer.byteLength(value, 'utf8') <= MAX_CLIENT_MSG_ID_BYTES,
    {
      message: `must be at most ${MAX_CLIENT_MSG_ID_BYTES} bytes in UTF-8`,
    },
  ),
);
export type ClientMsgId = z.infer<typeof ClientMsgId>;
