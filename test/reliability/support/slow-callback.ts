import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decryptMessage } from '../../../shared/wechat/callback-crypto';

/**
 * Sits between the sandbox's pushes and the gateway's /callback and makes the first delivery
 * of chosen MASSSENDJOBFINISH pushes slow, so WeChat (the sandbox) times out and redelivers:
 * - `late-answer`: the callback gets the push at once, but its answer comes too late;
 * - `late-delivery`: the push reaches the callback only after the redelivery did.
 * Every other request passes straight through.
 */
export type SlowKind = 'late-answer' | 'late-delivery';

export interface SlowCallback {
  url: string;
  slow(msgId: string, kind: SlowKind): void;
  /** Deliveries seen per msgId. */
  attempts(msgId: string): number;
  /** Resolves when every held delivery has been forwarded and answered. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

export async function startSlowCallback(options: {
  target: string;
  holdMs: number;
  aesKey: string;
  appId: string;
}): Promise<SlowCallback> {
  const plans = new Map<string, SlowKind>();
  const seen = new Map<string, number>();
  const held = new Set<Promise<void>>();
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  function msgIdOf(body: string): string | undefined {
    const encrypt = /<Encrypt><!\[CDATA\[([^\]]*)\]\]><\/Encrypt>/.exec(body)?.[1];
    const xml = encrypt ? decryptMessage(encrypt, { keys: [options.aesKey], appId: options.appId }) : body;
    return /<MsgID>(\d+)<\/MsgID>/.exec(xml)?.[1];
  }

  async function forward(search: string, body: string): Promise<{ status: number; text: string }> {
    const res = await fetch(`${options.target}${search}`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset=utf-8' },
      body,
    });
    return { status: res.status, text: await res.text() };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const search = new URL(req.url ?? '/', 'http://proxy').search;
    const msgId = msgIdOf(body);
    const attempt = msgId === undefined ? 0 : (seen.get(msgId) ?? 0) + 1;
    if (msgId !== undefined) seen.set(msgId, attempt);
    const plan = attempt === 1 && msgId !== undefined ? plans.get(msgId) : undefined;

    const work = (async () => {
      if (plan === 'late-delivery') await sleep(options.holdMs);
      const answer = await forward(search, body);
      if (plan === 'late-answer') await sleep(options.holdMs);
      if (!res.destroyed) res.writeHead(answer.status, { 'content-type': 'text/plain' }).end(answer.text);
    })();
    if (plan) {
      held.add(work);
      void work.finally(() => held.delete(work));
    }
    await work;
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(502).end('proxy failed');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/callback`,
    slow: (msgId, kind) => void plans.set(msgId, kind),
    attempts: (msgId) => seen.get(msgId) ?? 0,
    async settled() {
      await Promise.allSettled([...held]);
    },
    async close() {
      await Promise.allSettled([...held]);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
