import * as z from 'zod/mini';
import type { ApiRequest } from '../http/api-gateway';
import type { Downloaded, DownloadOptions } from '../http/download';
import { DownloadError } from '../http/download-error';
import { type ErrorStatus, HttpError } from '../http/http-error';
import { invalidRequest } from '../http/json-body';
import { isMultipart, parseMultipart } from '../http/multipart';
import { describeIssues } from '../validation';
import { contentTypeAgrees, sniffFormat, type MediaFormat } from './media-format';
import type { UploadRule } from './upload-limits';

/**
 * An upload arrives one of three ways, all on the same route:
 * - the raw file as the body (`--data-binary @photo.png` with its Content-Type),
 * - a multipart form with the file in the field `media` (`curl -F media=@photo.png`), as
 *   WeChat's own examples upload,
 * - JSON `{sourceUrl}`: the function downloads the file itself (download.ts guards it), so a
 *   file larger than a gateway request or already online needs no round trip through the caller.
 * Text fields (a video's title) come from the form, the JSON, or the query of a raw upload.
 */
export type FetchSource = (
  url: string,
  options: Pick<DownloadOptions, 'maxBytes' | 'timeoutMs'>,
) => Promise<Downloaded>;

export interface UploadDeps {
  /** Downloads a sourceUrl; tests inject one with their own resolver and CA. */
  fetchSource?: FetchSource;
}

/** One download's deadline: well inside the function's 35 s, leaving time for WeChat's upload. */
export const SOURCE_TIMEOUT_MS = 10_000;

export interface UploadFile {
  data: Buffer;
  filename?: string;
  /** The content type the caller or the source declared, checked against the bytes. */
  declaredType?: string;
  /** Where the file came from, for error answers: `(body)`, `media` or `sourceUrl`. */
  path: string;
  /** Text fields besides the file (title, introduction, filename). */
  fields: Record<string, string>;
  format: MediaFormat;
}

/** The JSON form of an upload: the file is fetched from `sourceUrl`. */
export const SourceUploadRequest = z.strictObject({
  sourceUrl: z
    .string()
    .check(z.minLength(1, 'must not be empty'), z.maxLength(2048, 'must be at most 2048 characters')),
  filename: z.optional(z.string().check(z.maxLength(128))),
  /** A video's title and introduction (permanent video only). */
  title: z.optional(z.string()),
  introduction: z.optional(z.string()),
});
export type SourceUploadRequest = z.infer<typeof SourceUploadRequest>;

const DOWNLOAD_ANSWERS: Record<DownloadError['reason'], { status: ErrorStatus; code: string }> = {
  invalid_url: { status: 400, code: 'invalid_request' },
  scheme: { status: 400, code: 'source_url_refused' },
  credentials: { status: 400, code: 'source_url_refused' },
  blocked_address: { status: 400, code: 'source_url_refused' },
  redirect: { status: 400, code: 'source_url_refused' },
  unresolvable: { status: 400, code: 'source_unreachable' },
  http_status: { status: 502, code: 'source_unreachable' },
  network: { status: 502, code: 'source_unreachable' },
  too_large: { status: 413, code: 'media_too_large' },
  timeout: { status: 504, code: 'source_timeout' },
};

async function fromSourceUrl(request: ApiRequest, rule: UploadRule, deps: UploadDeps) {
  let json: unknown;
  try {
    json = JSON.parse(request.rawBody.toString('utf8'));
  } catch (err) {
    throw new HttpError(400, 'invalid_json', 'the body is not valid JSON', {
      fields: [{ path: '(body)', reason: err instanceof Error ? err.message : 'not JSON' }],
    });
  }
  const parsed = SourceUploadRequest.safeParse(json);
  if (!parsed.success) throw invalidRequest(describeIssues(parsed.error.issues));
  const { sourceUrl, ...fields } = parsed.data;
  // download.ts (node:https, node:dns, node:net) is evaluated on the first download only.
  const fetchSource = deps.fetchSource ?? ((url, o) => import('../http/download').then((m) => m.download(url, o)));
  try {
    const file = await fetchSource(sourceUrl, { maxBytes: rule.maxBytes, timeoutMs: SOURCE_TIMEOUT_MS });
    return {
      data: file.data,
      filename: fields.filename ?? file.filename,
      declaredType: file.contentType,
      path: 'sourceUrl',
      fields: compactFields(fields),
    };
  } catch (err) {
    if (!(err instanceof DownloadError)) throw err;
    const { status, code } = DOWNLOAD_ANSWERS[err.reason];
    const reason = err.reason === 'too_large' ? `${err.message} (WeChat takes ${rule.sizeText})` : err.message;
    throw new HttpError(status, code, `sourceUrl ${reason}`, { fields: [{ path: 'sourceUrl', reason }], cause: err });
  }
}

function compactFields(fields: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(fields).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

function fromForm(request: ApiRequest) {
  const form = parseMultipart(request.headers['content-type'] ?? '', request.rawBody);
  const file = form.files.media;
  if (!file) {
    throw new HttpError(400, 'invalid_request', 'the form must hold the file in the field "media"', {
      fields: [{ path: 'media', reason: 'is required (curl -F media=@file)' }],
    });
  }
  return {
    data: file.data,
    filename: file.filename,
    declaredType: file.contentType,
    path: 'media',
    fields: form.fields,
  };
}

function fromRawBody(request: ApiRequest) {
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.query)) {
    if (typeof value === 'string') fields[name] = value;
    else if (Array.isArray(value)) fields[name] = value[value.length - 1] ?? '';
  }
  return {
    data: request.rawBody,
    filename: fields.filename,
    declaredType: request.headers['content-type'],
    path: '(body)',
    fields,
  };
}

/** Reads the upload however it came and checks it against `rule`: present, small enough, the right format. */
export async function readUpload(request: ApiRequest, rule: UploadRule, deps: UploadDeps = {}): Promise<UploadFile> {
  const contentType = request.headers['content-type'] ?? '';
  const upload = /^application\/(?:[\w.+-]+\+)?json\b/i.test(contentType)
    ? await fromSourceUrl(request, rule, deps)
    : isMultipart(contentType)
      ? fromForm(request)
      : fromRawBody(request);
  const { data, path } = upload;
  if (data.length === 0) {
    throw new HttpError(400, 'invalid_request', 'the upload is empty', { fields: [{ path, reason: 'is empty' }] });
  }
  if (data.length > rule.maxBytes) {
    throw new HttpError(
      413,
      'media_too_large',
      `WeChat takes at most ${rule.sizeText} here; this file has ${data.length} bytes`,
      {
        fields: [{ path, reason: `must be at most ${rule.sizeText}` }],
      },
    );
  }
  const format = sniffFormat(data);
  const accepted = rule.formats.join(', ');
  if (!format || !rule.formats.includes(format.name)) {
    throw new HttpError(415, 'unsupported_media_type', `WeChat takes ${accepted} here`, {
      fields: [{ path, reason: `is ${format ? format.name : 'not a recognised format'}, expected ${accepted}` }],
    });
  }
  if (!contentTypeAgrees(upload.declaredType, format)) {
    const declared = upload.declaredType?.slice(0, 60);
    throw new HttpError(
      415,
      'content_type_mismatch',
      `the file is declared as ${declared} but its bytes are ${format.name}`,
      {
        fields: [{ path, reason: `declared ${declared}, but the bytes are ${format.name}` }],
      },
    );
  }
  return { ...upload, format };
}

/** A file name WeChat will accept: safe characters, the extension of the real format. */
export function uploadFilename(file: UploadFile, fallback: string): string {
  const base =
    (file.filename ?? fallback)
      .replace(/[^A-Za-z0-9._-]/g, '_')
      .replace(/\.[A-Za-z0-9]{1,5}$/, '')
      .slice(0, 64) || fallback;
  return `${base}.${file.format.extension}`;
}
