import type { AccountSeed } from '../../sandbox/accounts';
import type { Sandbox, SandboxOptions } from '../../sandbox/server';
import { startSandbox } from '../../sandbox/server';
import { afterEach, beforeEach } from 'vitest';

/** WeChat replies are loose JSON; tests read fields directly. */
export type Reply = Record<string, any>;

// 10:00 in Beijing on 15 January 2025, far from a day or month boundary.
export const START_MS = Date.UTC(2025, 0, 15, 2, 0, 0);

export interface TestSandbox {
  sandbox: Sandbox;
  lines: string[];
  tokenFor(account: AccountSeed): Promise<string>;
  call(token: string, path: string, body?: unknown): Promise<Reply>;
}

export async function startTestSandbox(options: SandboxOptions = {}): Promise<TestSandbox> {
  const lines: string[] = [];
  const sandbox = await startSandbox({
    now: () => START_MS,
    jobDurationMs: 1000,
    log: (line) => lines.push(line),
    ...options,
  });
  return {
    sandbox,
    lines,
    async tokenFor(account) {
      const reply = await getJson(
        `${sandbox.url}/cgi-bin/token?grant_type=client_credential&appid=${account.appid}&secret=${account.secret}`,
      );
      if (typeof reply.access_token !== 'string') throw new Error(`no token: ${JSON.stringify(reply)}`);
      return reply.access_token;
    },
    async call(token, path, body = {}) {
      return (await postJson(`${sandbox.url}${path}?access_token=${encodeURIComponent(token)}`, body)).json;
    },
  };
}

export async function getJson(url: string): Promise<Reply> {
  const res = await fetch(url);
  return (await res.json()) as Reply;
}

export async function postJson(url: string, body: unknown): Promise<{ status: number; json: Reply }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: Reply;
  try {
    json = JSON.parse(text) as Reply;
  } catch {
    json = { text };
  }
  return { status: res.status, json };
}

export const SENDALL = '/cgi-bin/message/mass/sendall';
export const SEND = '/cgi-bin/message/mass/send';
export const PREVIEW = '/cgi-bin/message/mass/preview';
export const GET_STATUS = '/cgi-bin/message/mass/get';
export const DELETE = '/cgi-bin/message/mass/delete';

export function textToTag(tagId: number, content: string, clientmsgid?: string): Reply {
  return {
    filter: { is_to_all: false, tag_id: tagId },
    msgtype: 'text',
    text: { content },
    ...(clientmsgid ? { clientmsgid } : {}),
  };
}

/** A fresh sandbox and a token for `account` before each test, closed after it. */
export function useSandboxPerTest(
  account: AccountSeed,
  take: (ready: { t: TestSandbox; token: string }) => void,
): void {
  let current: TestSandbox | undefined;
  beforeEach(async () => {
    current = await startTestSandbox();
    take({ t: current, token: await current.tokenFor(account) });
  });
  afterEach(async () => {
    await current?.sandbox.close();
  });
}
