/**
 * What WeChat accepts for each kind of uploaded media, and how the sandbox recognises a
 * format: by its first bytes, never by the file name or the declared content type.
 *
 * Sizes and formats from WeChat's current pages (developers.weixin.qq.com, service account
 * API): add_material ("上传永久素材", 注意事项) and media/upload ("新增临时素材"). The
 * temporary page contradicts itself on images (2 MB in its notes, 10 MB further down); the
 * sandbox takes the stricter 2 MB, which the reference seed 003 also gives.
 */
export type UploadType = 'image' | 'voice' | 'video' | 'thumb';
export type Format = 'jpg' | 'png' | 'gif' | 'bmp' | 'mp3' | 'amr' | 'wav' | 'wma' | 'mp4';

export const UPLOAD_TYPES: readonly UploadType[] = ['image', 'voice', 'video', 'thumb'];

interface Rule {
  maxBytes: number;
  formats: readonly Format[];
}

const MB = 1024 * 1024;

export const PERMANENT_RULES: Readonly<Record<UploadType, Rule>> = {
  image: { maxBytes: 10 * MB, formats: ['bmp', 'png', 'jpg', 'gif'] },
  voice: { maxBytes: 2 * MB, formats: ['mp3', 'wma', 'wav', 'amr'] },
  video: { maxBytes: 10 * MB, formats: ['mp4'] },
  thumb: { maxBytes: 64 * 1024, formats: ['jpg'] },
};

export const TEMPORARY_RULES: Readonly<Record<UploadType, Rule>> = {
  image: { maxBytes: 2 * MB, formats: ['png', 'jpg', 'gif'] },
  voice: { maxBytes: 2 * MB, formats: ['amr', 'mp3'] },
  video: { maxBytes: 10 * MB, formats: ['mp4'] },
  thumb: { maxBytes: 64 * 1024, formats: ['jpg'] },
};

const startsWith = (data: Buffer, bytes: readonly number[], at = 0) =>
  data.length >= at + bytes.length && bytes.every((byte, i) => data[at + i] === byte);
const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

export function sniffFormat(data: Buffer): Format | undefined {
  if (startsWith(data, [0xff, 0xd8, 0xff])) return 'jpg';
  if (startsWith(data, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(data, ascii('GIF87a')) || startsWith(data, ascii('GIF89a'))) return 'gif';
  if (startsWith(data, ascii('BM')) && data.length >= 26) return 'bmp';
  if (startsWith(data, ascii('#!AMR'))) return 'amr';
  if (startsWith(data, ascii('RIFF')) && startsWith(data, ascii('WAVE'), 8)) return 'wav';
  // ASF header object GUID, the container of WMA.
  if (startsWith(data, [0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11])) return 'wma';
  if (startsWith(data, ascii('ftyp'), 4)) return 'mp4';
  if (startsWith(data, ascii('ID3')) || (data.length >= 2 && data[0] === 0xff && (data[1]! & 0xe0) === 0xe0)) {
    return 'mp3';
  }
  return undefined;
}
