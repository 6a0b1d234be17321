/**
 * Just enough multipart/form-data parsing for the uploads: find the part with a given name.
 * WeChat's examples upload with `curl -F media=@file.jpg`.
 */
export interface FormFile {
  filename: string | undefined;
  contentType: string | undefined;
  data: Buffer;
}

export function findFormFile(contentType: string | undefined, body: Buffer, field: string): FormFile | undefined {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? '');
  const marker = boundary?.[1] ?? boundary?.[2];
  if (!contentType?.toLowerCase().startsWith('multipart/form-data') || !marker) return undefined;

  const delimiter = Buffer.from(`--${marker.trim()}`);
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const partStart = start + delimiter.length + 2; // skip CRLF after the delimiter
    const next = body.indexOf(delimiter, partStart);
    if (next === -1) return undefined;
    const part = body.subarray(partStart, next - 2); // drop CRLF before the next delimiter
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd !== -1) {
      const headers = part.subarray(0, headerEnd).toString('utf8');
      const name = /name="([^"]*)"/i.exec(headers)?.[1];
      if (name === field) {
        return {
          filename: /filename="([^"]*)"/i.exec(headers)?.[1],
          contentType: /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1]?.trim(),
          data: part.subarray(headerEnd + 4),
        };
      }
    }
    start = next;
  }
  return undefined;
}

/** A plain (non-file) form field as text, e.g. add_material's `description`. */
export function findFormField(contentType: string | undefined, body: Buffer, field: string): string | undefined {
  const part = findFormFile(contentType, body, field);
  return part === undefined ? undefined : part.data.toString('utf8');
}
