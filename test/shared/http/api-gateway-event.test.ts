import { describe, expect, it } from 'vitest';
import { HttpError } from '../../../shared/http/http-error';
import { checkApiGatewayEvent, createScfHandler, queryParams, toApiRequest } from '../../../shared/http/api-gateway';
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
