import { HttpError } from './http-error';

/**
 * multipart/form-data (RFC 7578) as `curl -F media=@photo.jpg -F title=Hello` sends it: the
 * body is already whole in memory (API Gateway hands the function the complete request), so
 * this only splits it. Malformed forms are a 400 naming the body, never a crash.
 */
export interface FormFile {
  filename?: string;
  contentType?: string;
  data: Buffer;
}

export interface Form {
  fields: Record<string, string>;
  files: Record<string, FormFile>;
}

const MAX_PARTS = 32;

function malformed(reason: string): HttpError {
  return new HttpError(400, 'invalid_multipart', `the multipart form is malformed: ${reason}`, {
    fields: [{ path: '(body)', reason }],
  });
}

export function isMultipart(contentType: string | undefined): boolean {
  return /^multipart\/form-data\b/i.test(contentType ?? '');
}

function boundaryOf(contentType: string): string {
  const match = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;"]{1,70}))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  if (!boundary) throw malformed('the content-type has no boundary');
  return boundary;
}

function headerParam(header: string, name: string): string | undefined {
  const match =
    new RegExp(`;\\s*${name}="((?:[^"\\\\]|\\\\.)*)"`, 'i').exec(header) ??
    new RegExp(`;\\s*${name}=([^;\\s]+)`, 'i').exec(header);
  return match?.[1]?.replace(/\\(.)/g, '$1');
}

export function parseMultipart(contentType: string, body: Buffer): Form {
  const delimiter = Buffer.from(`--${boundaryOf(contentType)}`);
  const form: Form = { fields: {}, files: {} };
  let position = body.indexOf(delimiter);
  if (position === -1) throw malformed('the boundary never occurs in the body');
  for (let parts = 0; ; parts++) {
    const afterDelimiter = position + delimiter.length;
    if (body.subarray(afterDelimiter, afterDelimiter + 2).toString() === '--') return form;
    if (parts === MAX_PARTS) throw malformed(`more than ${MAX_PARTS} parts`);
    const start = afterDelimiter + 2; // CRLF after the delimiter line
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), start);
    if (next === -1) throw malformed('the closing boundary is missing');
    const part = body.subarray(start, next);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd === -1) throw malformed(`part ${parts + 1} has no header block`);
    const headers = part.subarray(0, headerEnd).toString('utf8');
    const disposition = /^content-disposition:(.*)$/im.exec(headers)?.[1] ?? '';
    const name = headerParam(disposition, 'name');
    if (!/^\s*form-data/i.test(disposition) || name === undefined) {
      throw malformed(`part ${parts + 1} is not a named form-data field`);
    }
    const data = part.subarray(headerEnd + 4);
    const filename = headerParam(disposition, 'filename');
    const type = /^content-type:\s*(.+)$/im.exec(headers)?.[1]?.trim();
    if (filename !== undefined || (type !== undefined && !/^text\/plain\b/i.test(type))) {
      form.files[name] = { ...(filename ? { filename } : {}), ...(type ? { contentType: type } : {}), data };
    } else {
      form.fields[name] = data.toString('utf8');
    }
    position = next + 2;
  }
}
