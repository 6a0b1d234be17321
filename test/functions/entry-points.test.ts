import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ApiDeps } from '../../shared/runtime/api';
import * as z from 'zod/mini';
import { apiFunction } from '../../shared/http/api-function';
import { defineRoute, ok } from '../../shared/http/route';
import { apiEvent } from '../support/api-event';

const FUNCTIONS = ['send-by-tag', 'send-by-list', 'preview', 'delete', 'status', 'speed', 'media'];

describe('function entry points', () => {
  beforeEach(() => {
    for (const name of ['WECHAT_APP_ID', 'WECHAT_APP_SECRET', 'STORE_URL', 'API_KEYS']) vi.stubEnv(name, undefined);
    vi.spyOn(console, 'log').mockImplementation(() => {});
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  for (const name of FUNCTIONS) {
    it(`${name} reads nothing at import and answers 503 not_configured without its environment`, async () => {
      const { main_handler } = (await import(`../../functions/${name}/index.ts`)) as {
        main_handler: (
          event: unknown,
          context?: { request_id?: string },
        ) => Promise<{ statusCode: number; body: string; headers: Record<string, string> }>;
      };
      const res = await main_handler(apiEvent({ path: `/${name}`, body: {}, apiKey: 'whatever-key-123' }), {
        request_id: 'r-1',
      });
      expect(res.statusCode).toBe(503);
      expect(JSON.parse(res.body).error).toEqual({
        code: 'not_configured',
        message: expect.any(String),
        requestId: 'r-1',
      });
      // The variable names go to the log only.
      expect(res.body).not.toMatch(/WECHAT_|API_KEYS/);
    });
  }

  it('apiFunction reads the environment it is given at the first invocation, builds once per container', async () => {
    const env: Record<string, string | undefined> = {};
    const built: ApiDeps[] = [];
    const route = defineRoute({
      method: 'GET',
      path: '/status',
      operationId: 'probe',
      tag: 'probe',
      summary: 'records the dependencies it runs with',
      answers: { 200: z.object({ ok: z.boolean() }) },
      run: async (deps: ApiDeps) => {
        if (!built.includes(deps)) built.push(deps);
        return ok({ ok: true });
      },
    });
    const main_handler = apiFunction([route], env);
    const invoke = () =>
      main_handler(apiEvent({ path: '/status', method: 'GET', apiKey: 'a-key-of-16-chars' }), { request_id: 'r-2' });

    expect((await invoke()).statusCode).toBe(503);
    Object.assign(env, {
      WECHAT_APP_ID: 'wx-app',
      WECHAT_APP_SECRET: 'secret',
      STORE_URL: 'memory:',
      API_KEYS: 'a-key-of-16-chars',
    });
    expect((await invoke()).statusCode).toBe(200);
    expect((await invoke()).statusCode).toBe(200);

    expect(built).toHaveLength(1);
    expect(built[0]!.apiKeys).toEqual(['a-key-of-16-chars']);
  });

  it('answers 503 not_configured for a STORE_URL whose password is not percent-encoded, never logging it', async () => {
    const lines: string[] = [];
    vi.mocked(console.log).mockImplementation((line: string) => void lines.push(String(line)));
    const env = {
      WECHAT_APP_ID: 'wx-app',
      WECHAT_APP_SECRET: 'secret-value-123',
      WECHAT_API_BASE_URL: 'http://127.0.0.1:1',
      STORE_URL: 'redis://:hunter#2-store-pw@127.0.0.1:1/0',
      API_KEYS: 'a-key-of-16-chars',
    };
    const route = defineRoute({
      method: 'GET',
      path: '/status',
      operationId: 'probeStore',
      tag: 'probe',
      summary: 'reads the store',
      answers: { 200: z.object({ value: z.nullable(z.string()) }) },
      run: async (deps: ApiDeps) => ok({ value: await deps.store.get('probe') }),
    });
    const main_handler = apiFunction([route], env);
    const res = await main_handler(apiEvent({ path: '/status', method: 'GET', apiKey: 'a-key-of-16-chars' }), {
      request_id: 'r-3',
    });
    expect(res.statusCode).toBe(503);
    expect(JSON.parse(res.body).error.code).toBe('not_configured');
    expect(lines.join('\n')).toContain('STORE_URL');
    expect(lines.join('\n')).not.toContain('2-store-pw');
    expect(res.body).not.toContain('2-store-pw');
  });
});
