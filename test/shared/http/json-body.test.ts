import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { findJsonProblems, readJsonBody } from '../../../shared/http/json-body';
import type { HttpError } from '../../../shared/http/http-error';

const request = (text: string) => ({ headers: { 'content-type': 'application/json' }, rawBody: Buffer.from(text) });
const Anything = z.unknown();

function refusal(text: string): HttpError {
  try {
    readJsonBody(request(text) as never, Anything);
  } catch (err) {
    return err as HttpError;
  }
  throw new Error('the body was accepted');
}

describe('readJsonBody', () => {
  it('refuses a repeated key with 400 naming it (JSON.parse would silently keep the last one)', () => {
    const err = refusal('{"audience":{"tagId":100},"audience":{"all":true}}');
    expect(err).toMatchObject({ status: 400, code: 'invalid_request' });
    expect(err.fields).toEqual([{ path: 'audience', reason: expect.stringMatching(/more than once/) }]);
  });

  it('names a repeated key deep inside, and one spelt with an escape', () => {
    expect(refusal('{"message":{"type":"text","content":"a","type":"mpnews"}}').fields).toEqual([
      { path: 'message.type', reason: expect.stringMatching(/more than once/) },
    ]);
    expect(refusal('{"openIds":["a","b"],"\\u006fpenIds":["c","d"]}').fields?.[0]?.path).toBe('openIds');
    expect(refusal('{"articles":[{"title":"a"},{"title":"b","title":"c"}]}').fields?.[0]?.path).toBe(
      'articles[1].title',
    );
  });

  it('refuses a string with a lone UTF-16 surrogate, naming the field', () => {
    const err = refusal('{"clientMsgId":"abc\\ud800","message":{"type":"text","content":"x"}}');
    expect(err).toMatchObject({ status: 400, code: 'invalid_request' });
    expect(err.fields).toEqual([{ path: 'clientMsgId', reason: expect.stringMatching(/lone UTF-16 surrogate/) }]);
    expect(refusal('{"openIds":["ok","\\udc00x"]}').fields?.[0]?.path).toBe('openIds[1]');
    expect(refusal('{"a\\ud800":1}').fields?.[0]?.path).toBe('a\ud800');
  });

  it('accepts escaped surrogate pairs, the same key in sibling objects, and escaped quotes', () => {
    const text = '{"content":"\\ud83d\\ude00 \\"quoted\\" \\\\","list":[{"id":"1"},{"id":"2"}],"id":"😀"}';
    expect(readJsonBody(request(text) as never, Anything)).toEqual(JSON.parse(text));
    expect(findJsonProblems(text)).toEqual([]);
  });
});
