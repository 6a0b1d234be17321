import type * as z from 'zod/mini';
import type { ApiRequest } from './api-gateway';
import { HttpError } from './http-error';
import { describeIssues, type FieldProblem, formatPath } from '../validation';

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
  const text = request.rawBody.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new HttpError(400, 'invalid_json', 'the body is not valid JSON', {
      fields: [{ path: '(body)', reason: err instanceof Error ? err.message : 'not JSON' }],
    });
  }
  const problems = findJsonProblems(text);
  if (problems.length > 0) throw invalidRequest(problems);
  const result = schema.safeParse(json);
  if (!result.success) {
    throw invalidRequest(describeIssues(result.error.issues));
  }
  return result.data;
}

type Frame =
  | { kind: 'object'; path: PropertyKey[]; keys: Set<string>; expectingKey: boolean; key?: string }
  | { kind: 'array'; path: PropertyKey[]; index: number };

// With the u flag a well-formed surrogate pair is one code point: only a lone surrogate matches.
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * What JSON.parse lets through but the API refuses, found in text JSON.parse has accepted:
 * a key repeated in one object (JSON.parse keeps the last, a proxy or a log may read the
 * first: `{"audience":{"tagId":100},"audience":{"all":true}}` would be a tag send to one and a
 * send to everyone to the other), and a string holding a lone UTF-16 surrogate (`"\ud800"`),
 * which the file and Redis stores write as U+FFFD, so that different ids would share a record.
 */
export function findJsonProblems(text: string): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const stack: Frame[] = [];
  const valuePath = (): PropertyKey[] => {
    const top = stack.at(-1);
    if (!top) return [];
    return top.kind === 'object' ? [...top.path, top.key ?? ''] : [...top.path, top.index];
  };

  // Where the next backslash is, searched forward only: each string asks whether it holds one.
  let nextBackslash = text.indexOf('\\');
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{') stack.push({ kind: 'object', path: valuePath(), keys: new Set(), expectingKey: true });
    else if (c === '[') stack.push({ kind: 'array', path: valuePath(), index: 0 });
    else if (c === '}' || c === ']') stack.pop();
    else if (c === ',') {
      const top = stack.at(-1);
      if (top?.kind === 'object') top.expectingKey = true;
      else if (top?.kind === 'array') top.index++;
    } else if (c === ':') {
      const top = stack.at(-1);
      if (top?.kind === 'object') top.expectingKey = false;
    } else if (c === '"') {
      // The closing quote is the first one not escaped by an odd run of backslashes.
      let end = text.indexOf('"', i + 1);
      for (;;) {
        let slashes = 0;
        while (text[end - 1 - slashes] === '\\') slashes++;
        if (slashes % 2 === 0) break;
        end = text.indexOf('"', end + 1);
      }
      if (nextBackslash !== -1 && nextBackslash <= i) nextBackslash = text.indexOf('\\', i + 1);
      const escaped = nextBackslash !== -1 && nextBackslash < end;
      // Only a \u escape can make a lone surrogate: the body was decoded from UTF-8.
      const value = escaped ? (JSON.parse(text.slice(i, end + 1)) as string) : text.slice(i + 1, end);
      const top = stack.at(-1);
      if (top?.kind === 'object' && top.expectingKey) {
        top.key = value;
        const path = formatPath([...top.path, value]);
        if (top.keys.has(value)) problems.push({ path, reason: 'appears more than once: each key may appear once' });
        top.keys.add(value);
        if (escaped && LONE_SURROGATE.test(value)) problems.push({ path, reason: ILL_FORMED });
      } else if (escaped && LONE_SURROGATE.test(value)) {
        problems.push({ path: formatPath(valuePath()), reason: ILL_FORMED });
      }
      i = end;
    }
  }
  return problems;
}

const ILL_FORMED = 'is not well-formed Unicode: it holds a lone UTF-16 surrogate (an unpaired \\ud800-\\udfff escape)';
