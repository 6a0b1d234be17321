import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HttpError } from '../../../shared/http/http-error';
import {
  bodyText,
  checkApiGatewayEvent,
  createScfHandler,
  queryParams,
  toApiRequest,
} from '../../../shared/http/api-gateway';
import { createLogger } from '../../../shared/log';
import { apiEvent } from '../../support/api-event';

describe('checkApiGatewayEvent', () => {
  it('accepts the event API Gateway really sends, with repeated and bare query keys', () => {
    const event = apiEvent({ method: 'GET', path: '/status', query: { msgId: ['1', '2'], debug: true } });
    expect(checkApiGatewayEvent(event)).toMatchObject({ ok: true, event: { httpMethod: 'GET', path: '/status' } });
    expect(
      checkApiGatewayEvent({ httpMethod: 'GET', path: '/', headers: null, queryString: null, body: null }),
    ).toMatchObject({
      ok: true,
    });
  });

  it.each([
    ['event', 'not an object'],
    ['event', ['an', 'array']],
    ['httpMethod', { path: '/' }],
    ['path', { httpMethod: 'GET', path: 7 }],
    ['headers', { httpMethod: 'GET', path: '/', headers: { host: 1 } }],
    ['headers', { httpMethod: 'GET', path: '/', headers: ['host'] }],
    ['queryString', { httpMethod: 'GET', path: '/', queryString: { a: 1 } }],
    ['queryString', { httpMethod: 'GET', path: '/', queryString: { a: ['x', 2] } }],
    ['queryString', { httpMethod: 'GET', path: '/', queryString: { a: false } }],
    ['body', { httpMethod: 'POST', path: '/', body: { json: true } }],
    ['isBase64Encoded', { httpMethod: 'POST', path: '/', isBase64Encoded: 'true' }],
    ['requestContext', { httpMethod: 'POST', path: '/', requestContext: { requestId: 5 } }],
  ])('names %s when it breaks the shape', (field, event) => {
    expect(checkApiGatewayEvent(event)).toEqual({ ok: false, field });
  });

  it('answers a malformed event with 400 bad_event, not a 500', async () => {
    const lines: string[] = [];
    const main = createScfHandler(() => ({
      handle: async () => ({ status: 200, body: {} }),
      log: createLogger({}, (line) => lines.push(line)),
    }));
    const reply = await main({ httpMethod: 'GET', path: '/', headers: { host: 1 } }, { request_id: 'r-1' });
    expect(reply.statusCode).toBe(400);
    expect(JSON.parse(reply.body)).toMatchObject({ error: { code: 'bad_event' } });
  });
});

describe('createScfHandler', () => {
  it('writes the one request line for a handler that throws before it returns a promise', async () => {
    const lines: string[] = [];
    const main = createScfHandler(() => ({
      handle: () => {
        throw new HttpError(400, 'invalid_request', 'give each query parameter once: a');
      },
      log: createLogger({}, (line) => lines.push(line)),
    }));
    const reply = await main(apiEvent({ method: 'GET', path: '/x' }), { request_id: 'r-2' });
    expect(reply.statusCode).toBe(400);
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({ message: 'request', requestId: 'r-2', status: 400, path: '/x' }),
    ]);
  });

  it('takes the handler a memoized getter gives, first as a promise and then as the value', async () => {
    let builds = 0;
    const built = { handle: async () => ({ status: 204 }), log: createLogger({}, () => {}) };
    let ready = false;
    const main = createScfHandler(() => {
      if (ready) return built;
      builds += 1;
      ready = true;
      return Promise.resolve(built);
    });
    for (let i = 0; i < 3; i++) expect((await main(apiEvent({ method: 'GET', path: '/' }), {})).statusCode).toBe(204);
    expect(builds).toBe(1);
  });
});

describe('toApiRequest', () => {
  it('gives the headers with lower-cased names, leaving out inherited and undefined ones', () => {
    const given = Object.assign(Object.create({ inherited: 'x' }), {
      'Content-Type': 'text/xml',
      'X-Api-RequestId': 'abc',
      Gone: undefined,
    });
    const request = toApiRequest({ httpMethod: 'post', path: '/callback', headers: given }, 'r');
    expect(request.headers).toEqual({ 'content-type': 'text/xml', 'x-api-requestid': 'abc' });
    expect(request.headers).toBe(request.headers);
    expect(request.method).toBe('POST');
  });
});

describe('bodyText', () => {
  it('is the UTF-8 decoding of rawBody for any body, lone surrogates and base64 included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 30 }), fc.boolean(), (text, binary) => {
        const event = binary
          ? apiEvent({ path: '/callback', binary: Buffer.from(text, 'utf8') })
          : apiEvent({ path: '/callback', body: text });
        const request = toApiRequest(event, 'r');
        expect(bodyText(request)).toBe(request.rawBody.toString('utf8'));
        expect(request.rawBody.equals(Buffer.from(text, 'utf8'))).toBe(true);
      }),
      { numRuns: 2000 },
    );
    const lone = toApiRequest(apiEvent({ path: '/callback', body: 'a\ud800b' }), 'r');
    expect(bodyText(lone)).toBe('a\ufffdb');
  });
});

describe('queryParams', () => {
  const params = (query: Record<string, string | string[] | true>) =>
    queryParams(toApiRequest(apiEvent({ method: 'GET', path: '/status', query }), 'req-q'));

  it('gives each parameter as one string: a bare key is empty, a one-element list its element', () => {
    expect(params({ msgId: '1', debug: true, one: ['x'] })).toEqual({ msgId: '1', debug: '', one: 'x' });
  });

  it('keeps a parameter named __proto__ as an own property and leaves the prototype alone', () => {
    // As the event arrives: JSON, where __proto__ is an ordinary key.
    const read = params(JSON.parse('{"__proto__":"x","a":"1"}'));
    expect(Object.getPrototypeOf(read)).toBe(Object.prototype);
    expect(Object.keys(read)).toEqual(['__proto__', 'a']);
    expect(Object.getOwnPropertyDescriptor(read, '__proto__')?.value).toBe('x');
  });

  it('refuses a parameter given twice, naming it', () => {
    let error: unknown;
    try {
      params({ msgId: ['1', '2'], ok: '1' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(400);
    expect((error as HttpError).message).toContain('msgId');
  });
});
