import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildOpenApi, writeOpenApi } from '../../scripts/openapi';
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
      ].sort(),
    );
  });

  it('gives every operation a success response and the shared error shape, all resolvable', () => {
    const refs: string[] = [];
    for (const ops of Object.values(doc.paths)) {
      for (const op of Object.values(ops)) {
        expect(op.responses['200']).toBeDefined();
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
