import type * as z from 'zod/mini';
import type { ApiRequest } from './api-gateway';
import { HttpError } from './http-error';
import { describeIssues, type FieldProblem } from '../validation';

/** The 400 for input that failed its schema, naming every offending field. */
export function invalidRequest(fields: FieldProblem[]): HttpError {
  return new HttpError(
    400,
    'invalid_request',
    `invalid request: ${fields.map((f) => `${f.path} ${f.reason}`).join('; ')}`,
    { fields },
  );
}

/** Parses the body as JSON and checks it against `schema`, naming every offending field. */
export function readJsonBody<T>(request: ApiRequest, schema: z.ZodMiniType<T>): T {
  const contentType = request.headers['content-type'] ?? '';
  if (contentType && !/^application\/(?:[\w.+-]+\+)?json\b/i.test(contentType)) {
    throw new HttpError(415, 'unsupported_media_type', 'the body must be application/json', {
      fields: [{ path: '(header) content-type', reason: `expected application/json, got ${contentType.slice(0, 60)}` }],
    });
  }
  // A UTF-8 byte order mark (EF BB BF), as some Windows editors save files: JSON.parse would
  // only say "Unexpected token".
  if (request.rawBody[0] === 0xef && request.rawBody[1] === 0xbb && request.rawBody[2] === 0xbf) {
    throw new HttpError(
      400,
      'invalid_json',
      'the body starts with a UTF-8 byte order mark (BOM); send the JSON without it',
      {
        fields: [{ path: '(body)', reason: 'starts with a UTF-8 byte order mark (EF BB BF); remove it' }],
      },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(request.rawBody.toString('utf8'));
  } catch (err) {
    throw new HttpError(400, 'invalid_json', 'the body is not valid JSON', {
      fields: [{ path: '(body)', reason: err instanceof Error ? err.message : 'not JSON' }],
    });
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    throw invalidRequest(describeIssues(result.error.issues));
  }
  return result.data;
}
