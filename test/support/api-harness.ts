import type { MockAgent } from 'undici';
import { createApiHandler } from '../../shared/http/api-function';
import { createScfHandler, type ApiGatewayResponse } from '../../shared/http/api-gateway';
import type { Route } from '../../shared/http/route';
import { createLogger } from '../../shared/log';
import { buildApiDeps, type ApiDeps } from '../../shared/runtime/api';
import { createMemoryStore } from '../../shared/store/memory-store';
import { apiEvent, type ApiEventOptions } from './api-event';
import { closeWeChatMock, collectLogs, createWeChatMock, WECHAT_ORIGIN } from './mock-wechat';

/** Secrets every API test uses; the log-scan tests look for each of them. */
export const APP_SECRET = 'app-secret-must-never-leak-7f3a';
export const ACCESS_TOKEN = 'ACCESS_TOKEN_must_never_leak_9c1e';
export const API_KEY = 'api-key-current-2f6b8d0e4a';
export const API_KEY_PREVIOUS = 'api-key-previous-91c3e5a7b9';
export const APP_ID = 'wx0123456789abcdef';

export const TEST_ENV = {
  WECHAT_APP_ID: APP_ID,
  WECHAT_APP_SECRET: APP_SECRET,
  STORE_URL: 'memory:',
  API_KEYS: `${API_KEY},${API_KEY_PREVIOUS}`,
  WECHAT_TIMEOUT_MS: '500',
};

export interface WeChatCall {
  path: string;
  accessToken: string | null;
  /** The raw request body, as WeChat receives it (ids as bare JSON numbers). */
  raw: string;
  json: unknown;
  /** Multipart uploads (uploadimg), parsed from the bytes sent (by undici's multipart parser). */
  form?: Promise<FormData>;
}

export interface ApiReply extends ApiGatewayResponse {
  json: any;
}

/**
 * One function's routes behind a fake WeChat: real API Gateway events in, SCF responses out, and every
 * WeChat request recorded. The MockAgent refuses anything it was not told to expect.
 */
export function createApiHarness(routes: readonly Route<ApiDeps>[], env: Record<string, string> = {}) {
  const { agent, wechat, transport } = createWeChatMock();
  const logs = collectLogs();
  const store = createMemoryStore();
  const deps = buildApiDeps({ ...TEST_ENV, ...env }, { transport, store, log: createLogger({}, logs.sink) });
  const main = createScfHandler(() => ({ handle: createApiHandler(routes, deps), log: deps.log }));
  const calls: WeChatCall[] = [];
  const responses: ApiReply[] = [];

  function record(opts: { path: string; body?: unknown; headers?: unknown }): void {
    const url = new URL(opts.path, WECHAT_ORIGIN);
    const bytes = Buffer.isBuffer(opts.body) ? opts.body : undefined;
    const raw = typeof opts.body === 'string' ? opts.body : bytes ? bytes.toString('utf8') : '';
    const contentType = new Headers(opts.headers as Record<string, string>).get('content-type') ?? '';
    let json: unknown;
    try {
      json = raw ? JSON.parse(raw) : undefined;
    } catch {
      json = undefined;
    }
    calls.push({
      path: url.pathname,
      accessToken: url.searchParams.get('access_token'),
      raw,
      json,
      ...(bytes && contentType.startsWith('multipart/form-data')
        ? { form: new Response(bytes, { headers: { 'content-type': contentType } }).formData() }
        : {}),
    });
  }

  return {
    agent: agent as MockAgent,
    store,
    deps,
    logs,
    calls,
    responses,
    /** The stable_token call a cold container makes before its first WeChat call. */
    serveToken(accessToken = ACCESS_TOKEN) {
      wechat
        .intercept({ path: '/cgi-bin/stable_token', method: 'POST' })
        .reply(200, () => JSON.stringify({ access_token: accessToken, expires_in: 7200 }));
    },
    /** Answers one call to `path` with `reply` (a raw JSON text, so ids can exceed 2^53). */
    serve(path: string, reply: string | object, options: { delayMs?: number; status?: number } = {}) {
      const interceptor = wechat
        .intercept({ path: (p: string) => p === path || p.startsWith(`${path}?`), method: 'POST' })
        .reply(options.status ?? 200, (opts) => {
          record(opts as { path: string; body?: unknown; headers?: unknown });
          return typeof reply === 'string' ? reply : JSON.stringify(reply);
        });
      if (options.delayMs) interceptor.delay(options.delayMs);
    },
    async invoke(options: ApiEventOptions): Promise<ApiReply> {
      const response = await main(apiEvent(options), { request_id: 'scf-request-1' });
      const reply = { ...response, json: response.body ? JSON.parse(response.body) : undefined };
      responses.push(reply);
      return reply;
    },
    /** Everything a secret could have leaked into: log lines and response bodies. */
    transcript(): string {
      return [...logs.lines, ...responses.map((r) => JSON.stringify(r))].join('\n');
    },
    close: () => closeWeChatMock(agent),
  };
}

export type ApiHarness = ReturnType<typeof createApiHarness>;
