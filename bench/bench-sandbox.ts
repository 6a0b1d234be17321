import { DEMO_ACCOUNTS, startSandbox, type Sandbox } from '../sandbox/server';
import { BENCH_AES_KEY, BENCH_API_KEY, BENCH_CALLBACK_TOKEN } from './events';
import type { Cleanup } from './cleanup';

export const ACCOUNT = DEMO_ACCOUNTS.service;

export interface BenchSandbox {
  sandbox: Sandbox;
  /** Lines the sandbox would have logged: counted, not printed. */
  logLines(): number;
  /** The token stable_token hands out now (the same one the functions get). */
  accessToken(): Promise<string>;
  /** A mass send straight to the sandbox, bypassing the product; returns its msg_id. */
  sendDirect(body: Record<string, unknown>): Promise<string>;
}

/** The WeChat sandbox with every rate limit off, so no figure measures a 45009 or 45011. */
export async function startBenchSandbox(cleanup: Cleanup): Promise<BenchSandbox> {
  let lines = 0;
  const sandbox = await startSandbox({
    host: '127.0.0.1',
    limits: { perMinute: false, daily: false, monthly: false },
    jobDurationMs: 60_000,
    log: () => {
      lines += 1;
    },
  });
  cleanup.defer('sandbox', () => sandbox.close());

  async function post(path: string, body: unknown): Promise<Record<string, unknown>> {
    const res = await fetch(`${sandbox.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return (await res.json()) as Record<string, unknown>;
  }

  async function accessToken(): Promise<string> {
    const reply = await post('/cgi-bin/stable_token', {
      grant_type: 'client_credential',
      appid: ACCOUNT.appid,
      secret: ACCOUNT.secret,
    });
    if (typeof reply.access_token !== 'string')
      throw new Error(`sandbox stable_token failed: ${JSON.stringify(reply)}`);
    return reply.access_token;
  }

  return {
    sandbox,
    logLines: () => lines,
    accessToken,
    async sendDirect(body) {
      const token = await accessToken();
      const reply = await post(`/cgi-bin/message/mass/sendall?access_token=${encodeURIComponent(token)}`, body);
      if (reply.errcode !== 0 && reply.errcode !== undefined)
        throw new Error(`sandbox sendall failed: ${JSON.stringify(reply)}`);
      return String(reply.msg_id);
    },
  };
}

/** The environment every function gets in the bench (SCF would set these per function). */
export function functionEnv(sandboxUrl: string, storeUrl: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    WECHAT_APP_ID: ACCOUNT.appid,
    WECHAT_APP_SECRET: ACCOUNT.secret,
    WECHAT_API_BASE_URL: sandboxUrl,
    STORE_URL: storeUrl,
    API_KEYS: BENCH_API_KEY,
    WECHAT_TOKEN: BENCH_CALLBACK_TOKEN,
    WECHAT_ENCODING_AES_KEY: BENCH_AES_KEY,
  };
}
