/**
 * Media formats recognised from their first bytes: a file's name and declared content type
 * are claims, the bytes are the fact. WeChat checks the same way (40005 for a PNG sent as a
 * JPEG-only thumb), so checking here turns its errcode into a 415 before the call.
 */
export interface MediaFormat {
  name: 'jpeg' | 'png' | 'gif' | 'bmp' | 'mp3' | 'amr' | 'wav' | 'wma' | 'mp4';
  extension: string;
  contentType: string;
  /** Other content types that name the same format. */
  aliases: readonly string[];
}

export const MEDIA_FORMATS: Readonly<Record<MediaFormat['name'], MediaFormat>> = {
  jpeg: { name: 'jpeg', extension: 'jpg', contentType: 'image/jpeg', aliases: ['image/jpg', 'image/pjpeg'] },
  png: { name: 'png', extension: 'png', contentType: 'image/png', aliases: [] },
  gif: { name: 'gif', extension: 'gif', contentType: 'image/gif', aliases: [] },
  bmp: { name: 'bmp', extension: 'bmp', contentType: 'image/bmp', aliases: ['image/x-ms-bmp', 'image/x-bmp'] },
  mp3: { name: 'mp3', extension: 'mp3', contentType: 'audio/mpeg', aliases: ['audio/mp3', 'audio/x-mpeg'] },
  amr: { name: 'amr', extension: 'amr', contentType: 'audio/amr', aliases: [] },
  wav: { name: 'wav', extension: 'wav', contentType: 'audio/wav', aliases: ['audio/x-wav', 'audio/wave'] },
  wma: { name: 'wma', extension: 'wma', contentType: 'audio/x-ms-wma', aliases: ['video/x-ms-asf'] },
  mp4: { name: 'mp4', extension: 'mp4', contentType: 'video/mp4', aliases: ['application/mp4'] },
};

function at(data: Uint8Array, offset: number, bytes: readonly number[] | string): boolean {
  const expected = typeof bytes === 'string' ? [...bytes].map((c) => c.charCodeAt(0)) : bytes;
  return data.length >= offset + expected.length && expected.every((byte, i) => data[offset + i] === byte);
}

export function sniffFormat(data: Uint8Array): MediaFormat | undefined {
  if (at(data, 0, [0xff, 0xd8, 0xff])) return MEDIA_FORMATS.jpeg;
  if (at(data, 0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return MEDIA_FORMATS.png;
  if (at(data, 0, 'GIF87a') || at(data, 0, 'GIF89a')) return MEDIA_FORMATS.gif;
  if (at(data, 0, 'BM') && data.length >= 26) return MEDIA_FORMATS.bmp;
  if (at(data, 0, '#!AMR')) return MEDIA_FORMATS.amr;
  if (at(data, 0, 'RIFF') && at(data, 8, 'WAVE')) return MEDIA_FORMATS.wav;
  // The ASF header object's GUID: WMA's container.
  if (at(data, 0, [0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11])) return MEDIA_FORMATS.wma;
  if (at(data, 4, 'ftyp')) return MEDIA_FORMATS.mp4;
  // An ID3 tag, or an MPEG audio frame sync (11 set bits).
  if (at(data, 0, 'ID3') || (data.length >= 2 && data[0] === 0xff && (data[1]! & 0xe0) === 0xe0))
    return MEDIA_FORMATS.mp3;
  return undefined;
}

/**
 * Whether a declared content type agrees with the format found in the bytes. A generic type
 * (application/octet-stream, or none) claims nothing and agrees with anything.
 */
export function contentTypeAgrees(declared: string | undefined, format: MediaFormat): boolean {
  const type = declared?.split(';')[0]?.trim().toLowerCase();
  if (!type || type === 'application/octet-stream' || type === 'binary/octet-stream') return true;
  return type === format.contentType || format.aliases.includes(type);
}
