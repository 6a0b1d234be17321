import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { buildOpenApi, parametersOf, pathParametersOf, writeOpenApi } from '../../scripts/openapi';
import { defineRoute, ok } from '../../shared/http/route';
import { API_ROUTES } from '../../shared/api/route-table';
import { ErrorResponse } from '../../shared/api/schemas';
import { WECHAT_ERRORS } from '../../shared/api/wechat-errors';
import { toErrorResult } from '../../shared/http/api-gateway';
import { HttpError } from '../../shared/http/http-error';
import { silentLogger } from '../../shared/log';

type Doc = {
  openapi: string;
  paths: Record<
    string,
    Record<
      string,
      {
        requestBody?: { content: Record<string, { schema: { $ref?: string } }> };
        responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }>;
      }
    >
  >;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
  security: unknown[];
};

const doc = buildOpenApi() as unknown as Doc;

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 with bearer auth on every route', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.securitySchemes).toEqual({
      bearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    });
    expect(doc.security).toEqual([{ bearer: [] }]);
  });

  it('gives every operation the operationId and tag of its route, each tag described once', () => {
    const all = doc as unknown as {
      tags: Array<{ name: string; description: string }>;
      paths: Record<string, Record<string, { operationId: string; tags: string[] }>>;
    };
    for (const { route } of API_ROUTES) {
      const op = all.paths[route.path]![route.method.toLowerCase()]!;
      expect(op.operationId).toBe(route.operationId);
      expect(op.tags).toEqual([route.tag]);
      expect(all.tags.filter((t) => t.name === route.tag)).toEqual([
        { name: route.tag, description: expect.stringMatching(/\S/) },
      ]);
    }
    expect(API_ROUTES.map(({ route }) => route.operationId)).toEqual(
      expect.arrayContaining([
        'sendByTag',
        'sendByList',
        'preview',
        'deleteMessage',
        'getStatus',
        'getSpeed',
        'setSpeed',
      ]),
    );
  });

  it('names each message variant and lets the type pick it', () => {
    const schemas = doc.components.schemas as Record<string, { oneOf?: unknown[]; discriminator?: unknown }>;
    expect(schemas.Message!.discriminator).toEqual({
      propertyName: 'type',
      mapping: {
        text: '#/components/schemas/TextMessage',
        mpnews: '#/components/schemas/MpnewsMessage',
        image: '#/components/schemas/ImageMessage',
        voice: '#/components/schemas/VoiceMessage',
        mpvideo: '#/components/schemas/MpvideoMessage',
        wxcard: '#/components/schemas/WxcardMessage',
      },
    });
    expect(schemas.Message!.oneOf).toHaveLength(6);
    // Preview shares every variant but the image one, which takes a single mediaId.
    const preview = schemas.PreviewableMessage!.discriminator as { mapping: Record<string, string> };
    expect(preview.mapping.text).toBe('#/components/schemas/TextMessage');
    expect(preview.mapping.image).toBe('#/components/schemas/ImagePreviewableMessage');
    expect(schemas.MassSendStatus!.discriminator).toMatchObject({ propertyName: 'kind' });
  });

  it('names the local gateway and the API Gateway placeholder as servers, and a license', () => {
    const all = doc as unknown as { servers: Array<{ url: string }>; info: { license: { name: string } } };
    expect(all.servers.map((server) => server.url)).toEqual(['http://127.0.0.1:3000', 'https://{host}/{stage}']);
    expect(all.info.license).toEqual({ name: 'MIT', identifier: 'MIT' });
  });

  it('documents patterns that accept and refuse what the runtime does', () => {
    const param = (doc as unknown as { paths: Record<string, Record<string, { parameters: unknown[] }>> }).paths[
      '/status'
    ]!.get!.parameters[0] as { name: string; schema: { pattern: string } };
    expect(param.name).toBe('msgId');
    const pattern = new RegExp(param.schema.pattern);
    const statusQuery = API_ROUTES.find(({ route }) => route.operationId === 'getStatus')!.route.query!;
    for (const msgId of ['0', '1', '3147494552', '18446744073709551615', '01', '007', '', '12a', ' 1', '1e3', '-1']) {
      expect(pattern.test(msgId), msgId).toBe(statusQuery.safeParse({ msgId }).success);
    }
  });

  it("documents each branch's parameters of a query that is a union, required only where every branch needs it", () => {
    const query = z.union([
      z.object({ msgId: z.string(), verbose: z.optional(z.string()) }),
      z.object({ clientMsgId: z.string(), verbose: z.optional(z.string()) }),
    ]);
    expect(parametersOf(query, 'query').map(({ name, required }) => ({ name, required }))).toEqual([
      { name: 'msgId', required: false },
      { name: 'verbose', required: false },
      { name: 'clientMsgId', required: false },
    ]);
    expect(parametersOf(z.object({ jobId: z.string() }), 'path')).toEqual([
      { name: 'jobId', in: 'path', required: true, schema: { type: 'string' } },
    ]);
  });

  it('documents every {name} of a path, as a string unless the route declares its schema', () => {
    const route = defineRoute({
      method: 'GET',
      path: '/jobs/{jobId}/batches/{batch}',
      operationId: 'getBatch',
      tag: 'jobs',
      summary: 'one batch',
      params: z.object({ batch: z.string().check(z.regex(/^\d+$/)) }),
      answers: { 200: z.object({}) },
      run: async () => ok({}),
    });
    expect(pathParametersOf(route)).toEqual([
      { name: 'batch', in: 'path', required: true, schema: { type: 'string', pattern: '^\\d+$' } },
      { name: 'jobId', in: 'path', required: true, schema: { type: 'string' } },
    ]);
  });

  it('lists every route and method', () => {
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(routes.sort()).toEqual(
      [
        'POST /send-by-tag',
        'POST /send-by-list',
        'POST /preview',
        'POST /delete',
        'GET /status',
        'GET /speed',
        'PUT /speed',
        'POST /media/news',
        'POST /media/image',
        'POST /media/video',
        ...['image', 'voice', 'video', 'thumb'].flatMap((t) => [
          `POST /media/material/${t}`,
          `POST /media/temporary/${t}`,
        ]),
        'GET /media/material',
        'GET /media/material/count',
        'POST /media/material/delete',
        'POST /media/drafts',
        'GET /media/drafts',
        'GET /media/draft',
        'POST /media/drafts/delete',
        'POST /jobs',
        'GET /jobs',
        'POST /jobs/openids',
        'POST /jobs/start',
        'POST /jobs/cancel',
      ].sort(),
    );
  });

  it('documents each upload as a raw file, a multipart form with the file in media, or JSON {sourceUrl}', () => {
    const upload = doc.paths['/media/material/video']!.post!.requestBody!.content!;
    expect(Object.keys(upload).sort()).toEqual([
      'application/json',
      'application/octet-stream',
      'multipart/form-data',
      'video/mp4',
    ]);
    expect(upload['application/json']!.schema.$ref).toBe('#/components/schemas/SourceUploadRequest');
    expect((upload['multipart/form-data']!.schema as any).properties).toHaveProperty('introduction');
    expect(Object.keys(doc.paths['/media/material/thumb']!.post!.requestBody!.content!)).toContain('image/jpeg');
    expect(Object.keys(doc.paths['/media/material/thumb']!.post!.requestBody!.content!)).not.toContain('image/png');
  });

  it('gives every operation a success response and the shared error shape, all resolvable', () => {
    const refs: string[] = [];
    for (const ops of Object.values(doc.paths)) {
      for (const op of Object.values(ops)) {
        expect(Object.keys(op.responses).filter((status) => status.startsWith('2'))).not.toEqual([]);
        expect(op.responses['401']!.content!['application/json']!.schema.$ref).toBe('#/components/schemas/Error');
        for (const response of Object.values(op.responses))
          refs.push(response.content!['application/json']!.schema.$ref!);
        for (const media of Object.values(op.requestBody?.content ?? {}))
          if (media.schema.$ref) refs.push(media.schema.$ref);
      }
    }
    const text = JSON.stringify(doc);
    for (const match of text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g))
      refs.push(`#/components/schemas/${match[1]}`);
    for (const ref of refs) expect(doc.components.schemas[ref.replace('#/components/schemas/', '')], ref).toBeDefined();
  });

  it('documents store_unavailable on every operation and the idempotency conflicts on the sends', () => {
    type Described = { description: string };
    const ops = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ name: `${method} ${path}`, op })),
    );
    for (const { name, op } of ops) {
      expect((op.responses['503'] as unknown as Described).description, name).toContain(
        '`store_unavailable` (`Retry-After: 5`)',
      );
    }
    for (const path of ['/send-by-tag', '/send-by-list']) {
      const responses = doc.paths[path]!.post!.responses as unknown as Record<string, Described>;
      expect(responses['409']!.description).toContain('send_in_progress');
      expect(responses['422']!.description).toContain('client_msg_id_reused');
    }
  });

  it('lists every errcode the table answers with 400 in the 400 description', () => {
    const description = (doc.paths['/preview']!.post!.responses['400'] as unknown as { description: string })
      .description;
    for (const [errcode, rule] of Object.entries(WECHAT_ERRORS))
      if (rule.status === 400) expect(description).toContain(errcode);
  });

  it('keeps strict objects strict and ids as strings', () => {
    const sendByTag = doc.components.schemas.SendByTagRequest as { additionalProperties: boolean };
    expect(sendByTag.additionalProperties).toBe(false);
    const send = doc.components.schemas.SendResponse as { properties: { msgId: { type: string } } };
    expect(send.properties.msgId.type).toBe('string');
  });

  it('describes the error bodies the handlers really produce', () => {
    const err = new HttpError(400, 'invalid_request', 'invalid', { fields: [{ path: 'message.type', reason: 'x' }] });
    expect(ErrorResponse.safeParse(toErrorResult(err, 'req-1', silentLogger).body).success).toBe(true);
  });

  it('is written as JSON by writeOpenApi', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'openapi-')), 'nested', 'openapi.json');
    await writeOpenApi(file);
    expect(JSON.parse(readFileSync(file, 'utf8')).openapi).toBe('3.1.0');
  });
});
