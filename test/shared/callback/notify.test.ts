import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCallbackHandler } from '../../../shared/callback/handle-callback';
import type { MassSendJobReport } from '../../../shared/callback/mass-send-job-finish';
import {
  createNotifier,
  signNotifyBody,
  verifyNotifySignature,
} from '../../../shared/callback/notify';
import { createMemoryStore } from '../../../shared/store/memory-store';
import { massSendJobFinish } from '../../fixtures/mass-send-job-finish';
import { AES_KEY, APP_ID, captureLog, NOW_MS, safePush, TOKEN } from './callback-requests';

const SECRET = 'notify-secret-9fK2';

const report: MassSendJobReport = {
  msgId: '3147494552',
  status: { kind: 'success' },
  createTime: 1700000000,
  toUserName: 'gh_4d00ed8d6399',
  fromUserName: 'mphelper',
  counts: { total: 120, filter: 118, sent: 117, error: 1 },
};

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

const servers: Server[] = [];

/** A receiver on 127.0.0.1 only; `respond` decides what it does with each request. */
async function receiver(respond: (res: ServerResponse) => void): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      respond(res);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks/wechat?key=query-secret`, received };
}

afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((s) => {
      s.closeAllConnections();
      return new Promise((resolve) => s.close(resolve));
    }),
  );
});

describe('createNotifier', () => {
  it('posts the report as JSON with a verifiable X-Signature-256', async () => {
    const { url, received } = await receiver((res) => res.writeHead(204).end());
    const log = captureLog();
    createNotifier({ url, secret: SECRET, log })(report);

    await vi.waitFor(() => expect(log.lines.join()).toContain('notify delivered'));
    const [request] = received;
    expect(request?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request?.body ?? '')).toEqual(report);
    expect(request?.headers['x-signature-256']).toBe(signNotifyBody(request?.body ?? '', SECRET));
    expect(verifyNotifySignature(request?.body ?? '', request?.headers['x-signature-256'] as string, SECRET)).toBe(
      true,
    );
  });

  it('logs a receiver error without throwing', async () => {
    const { url } = await receiver((res) => res.writeHead(500).end('nope'));
    const log = captureLog();
    expect(() => createNotifier({ url, secret: SECRET, log })(report)).not.toThrow();
    await vi.waitFor(() => expect(log.lines.join()).toContain('notify rejected by receiver'));
  });

  it('gives up on a receiver that does not answer within the timeout', async () => {
    const { url } = await receiver(() => {});
    const log = captureLog();
    createNotifier({ url, secret: SECRET, timeoutMs: 100, log })(report);
    await vi.waitFor(() => expect(log.lines.join()).toContain('TimeoutError'), { timeout: 3000 });
  });

  it('logs a failing fetch without the secret or the query string of the URL', async () => {
    const log = captureLog();
    const failing = vi.fn<typeof fetch>().mockRejectedValue(new TypeError('fetch failed'));
    createNotifier({ url: 'http://127.0.0.1:9/hook?key=query-secret', secret: SECRET, fetch: failing, log })(report);
    await vi.waitFor(() => expect(log.lines.join()).toContain('notify failed'));
    const output = log.lines.join('\n');
    expect(output).not.toContain(SECRET);
    expect(output).not.toContain('query-secret');
  });
});

describe('verifyNotifySignature', () => {
  it('rejects a body signed with another secret, a changed body and a missing header', () => {
    const body = JSON.stringify(report);
    const header = signNotifyBody(body, SECRET);
    expect(verifyNotifySignature(body, signNotifyBody(body, 'other'), SECRET)).toBe(false);
    expect(verifyNotifySignature(`${body} `, header, SECRET)).toBe(false);
    expect(verifyNotifySignature(body, undefined, SECRET)).toBe(false);
  });
});

describe('the callback with a slow notify receiver', () => {
  it('acknowledges WeChat before the receiver answers', async () => {
    const { url, received } = await receiver(() => {});
    const log = captureLog();
    const handle = createCallbackHandler({
      appId: APP_ID,
      tokens: [TOKEN],
      aesKeys: [AES_KEY],
      windowSeconds: 300,
      maxBodyBytes: 16 * 1024,
      now: () => NOW_MS,
      store: createMemoryStore(() => NOW_MS),
      notify: createNotifier({ url, secret: SECRET, timeoutMs: 2000, log }),
      log,
    });

    const started = performance.now();
    const res = await handle(safePush(massSendJobFinish()));
    const elapsed = performance.now() - started;

    expect(res.body).toBe('success');
    expect(elapsed).toBeLessThan(500);
    await vi.waitFor(() => expect(received).toHaveLength(1));
    expect(log.lines.join()).not.toContain('notify delivered');
  });
});
