import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { createApiHandler } from '../../../shared/http/api-function';
import { createScfHandler } from '../../../shared/http/api-gateway';
import { answer, defineRoute, ok, rawBody, type Route } from '../../../shared/http/route';
import { silentLogger } from '../../../shared/log';
import { apiEvent, type ApiEventOptions } from '../../support/api-event';

const KEY = 'route-test-key-0123456789';
interface Deps {
  apiKeys: string[];
  ran: string[];
}

const Thing = z.strictObject({ name: z.string().check(z.minLength(1)) });
const Echo = z.looseObject({});

const routes: Route<Deps>[] = [
  defineRoute({
    method: 'GET',
    path: '/things',
    operationId: 'listThings',
    tag: 'things',
    summary: 'lists',
    query: z.object({ limit: z.optional(z.coerce.number().check(z.int(), z.minimum(1))) }),
    answers: { 200: Echo },
    run: async (deps: Deps, { query }) => {
      deps.ran.push('listThings');
      return ok({ query });
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/things',
    operationId: 'addThing',
    tag: 'things',
    summary: 'adds',
    body: Thing,
    answers: { 201: Echo },
    run: async (deps: Deps, { body }) => {
      deps.ran.push('addThing');
      return answer(201, { added: body.name });
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/things/{thingId}',
    operationId: 'getThing',
    tag: 'things',
    summary: 'one',
    params: z.object({ thingId: z.string().check(z.regex(/^[a-z ]+$/)) }),
    answers: { 200: Echo },
    run: async (deps: Deps, { params }) => {
      deps.ran.push('getThing');
      return ok({ thingId: params.thingId });
    },
  }),
  defineRoute({
    method: 'PUT',
    path: '/things/picture',
    operationId: 'putPicture',
    tag: 'things',
    summary: 'bytes',
    body: rawBody('image/png'),
    answers: { 200: Echo },
    run: async (deps: Deps, { body }) => {
      deps.ran.push('putPicture');
      return ok({ bytes: body.length });
    },
  }),
];

function setup() {
  const deps: Deps = { apiKeys: [KEY], ran: [] };
  const main = createScfHandler(() => ({ handle: createApiHandler(routes, deps), log: silentLogger }));
  const invoke = async (options: ApiEventOptions) => {
    const res = await main(apiEvent({ apiKey: KEY, ...options }), { request_id: 'r-1' });
    return { ...res, json: JSON.parse(res.body) };
  };
  return { deps, invoke };
}

describe('createApiHandler', () => {
  it('asks for the API key before it looks at the path, the method or the body', async () => {
    const { deps, invoke } = setup();
    for (const options of [
      { path: '/nowhere' },
      { method: 'DELETE', path: '/things' },
      { path: '/things', body: 'not json' },
    ]) {
      const res = await invoke({ ...options, apiKey: undefined as unknown as string });
      expect(res.statusCode).toBe(401);
    }
    expect(deps.ran).toEqual([]);
  });

  it('answers 404 naming the routes for an unknown path', async () => {
    const res = await setup().invoke({ method: 'GET', path: '/nowhere' });
    expect(res.statusCode).toBe(404);
    expect(res.json.error).toMatchObject({ code: 'not_found', message: expect.stringContaining('/things') });
  });

  it('answers 405 with every method of the path in Allow', async () => {
    const { deps, invoke } = setup();
    const res = await invoke({ method: 'DELETE', path: '/things' });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('GET, POST');
    expect(res.json.error.code).toBe('method_not_allowed');
    expect(deps.ran).toEqual([]);
  });

  it('matches behind a stage prefix and with a trailing slash', async () => {
    const { deps, invoke } = setup();
    expect((await invoke({ method: 'GET', path: '/release/things/' })).statusCode).toBe(200);
    expect(deps.ran).toEqual(['listThings']);
  });

  it('tells a literal path from a path parameter beside it by the method, hands a raw body over as bytes', async () => {
    const { invoke } = setup();
    const res = await invoke({ method: 'PUT', path: '/things/picture', binary: new Uint8Array([1, 2, 3]) });
    expect(res.json).toEqual({ bytes: 3 });
  });

  it('decodes and checks path parameters, naming them when they fail', async () => {
    const { invoke } = setup();
    expect((await invoke({ method: 'GET', path: '/things/big%20box' })).json).toEqual({ thingId: 'big box' });

    const bad = await invoke({ method: 'GET', path: '/things/Big' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json.error.fields).toEqual([{ path: '(path) thingId', reason: expect.any(String) }]);

    const undecodable = await invoke({ method: 'GET', path: '/things/%E0%A4%A' });
    expect(undecodable.statusCode).toBe(400);
    expect(undecodable.json.error.fields[0].path).toBe('(path) thingId');
  });

  it('parses the query with its schema: unknown parameters ignored, a repeated one refused, errors named', async () => {
    const { invoke } = setup();
    const res = await invoke({ method: 'GET', path: '/things', query: { limit: '5', _: '123' } });
    expect(res.json).toEqual({ query: { limit: 5 } });

    const repeated = await invoke({ method: 'GET', path: '/things', query: { limit: ['1', '5'] } });
    expect(repeated.statusCode).toBe(400);
    expect(repeated.json.error.fields).toEqual([{ path: '(query) limit', reason: 'given 2 times; give it once' }]);

    const bad = await invoke({ method: 'GET', path: '/things', query: { limit: '0' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json.error.fields).toEqual([{ path: '(query) limit', reason: expect.any(String) }]);
  });

  it('parses a JSON body with its schema before the service runs', async () => {
    const { deps, invoke } = setup();
    expect((await invoke({ path: '/things', body: { name: 'box' } })).json).toEqual({ added: 'box' });

    const bad = await invoke({ path: '/things', body: { name: '', colour: 'red' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json.error.fields.map((f: { path: string }) => f.path).sort()).toEqual(['colour', 'name']);
    const notJson = await invoke({ path: '/things', body: '{', headers: { 'content-type': 'application/json' } });
    expect(notJson.json.error.code).toBe('invalid_json');
    expect(deps.ran).toEqual(['addThing']);
  });
});
