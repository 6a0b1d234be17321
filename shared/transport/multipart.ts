import { randomBytes } from 'node:crypto';

export interface FilePart {
  filename: string;
  contentType: string;
  data: Uint8Array;
}

/**
 * multipart/form-data (RFC 7578): file parts (`uploadimg` and `add_material` read the part
 * named `media`) and text parts (add_material's `description` for a video). Built by hand
 * instead of with FormData, which lives in Node's undici and would load it.
 */
export function encodeMultipart(fields: Record<string, FilePart | string>): { contentType: string; body: Buffer } {
  const boundary = `----wechat-mass-send-${randomBytes(12).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const [field, file] of Object.entries(fields)) {
    if (typeof file === 'string') {
      parts.push(
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="${quote(field)}"\r\n\r\n${file}\r\n`,
          'utf8',
        ),
      );
      continue;
    }
    parts.push(
      Buffer.from(
        `--${boundary}\r\n` +
          `Content-Disposition: form-data; name="${quote(field)}"; filename="${quote(file.filename)}"\r\n` +
          `Content-Type: ${file.contentType.replace(/[\r\n]/g, '')}\r\n\r\n`,
        'utf8',
      ),
      Buffer.from(file.data.buffer, file.data.byteOffset, file.data.byteLength),
      Buffer.from('\r\n', 'utf8'),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`, 'utf8'));
  return { contentType: `multipart/form-data; boundary=${boundary}`, body: Buffer.concat(parts) };
}

// RFC 7578 §4.2 and the WHATWG form encoding: quotes and line breaks percent-encoded.
function quote(value: string): string {
  return value.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
