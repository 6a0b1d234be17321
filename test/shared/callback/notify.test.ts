import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCallbackHandler } from '../../../shared/callback/handle-callback';
import type { MassSendJobReport } from '../../../shared/reports/mass-send-job-report';
import { MsgId } from '../../../shared/wechat/msg-id';
import {
  createNotifier,
  DEFAULT_NOTIFY_TIMEOUT_MS,
  DEFAULT_NOTIFY_WAIT_MS,
  signNotifyBody,
  verifyNotifySignature,
} from '../../../shared/callback/notify';
import { createMemoryStore } from '../../../shared/store/memory-store';
import { HttpTransportError, type HttpTransport } from '../../../shared/transport/transport';
import { massSendJobFinish } from '../../fixtures/mass-send-job-finish';
import { callbackDeps, captureLog, driveCallback, NOW_MS, safePush } from './callback-requests';

const SECRET = 'notify-secret-9fK2';

const report: MassSendJobReport = {
  msgId: MsgId.parse('3147494552'),
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
    await createNotifier({ url, secret: SECRET, log })(report);

    expect(log.lines.join()).toContain('notify delivered');
    const [request] = received;
    expect(request?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request?.body ?? '')).toEqual(report);
    expect(request?.headers['x-signature-256']).toBe(signNotifyBody(request?.body ?? '', SECRET));
    expect(verifyNotifySignature(request?.body ?? '', request?.headers['x-signature-256'] as string, SECRET)).toBe(
      true,
    );
  });

  it('resolves, logging it, when the receiver answers with an error', async () => {
    const { url } = await receiver((res) => res.writeHead(500).end('nope'));
    const log = captureLog();
    await expect(createNotifier({ url, secret: SECRET, log })(report)).resolves.toBeUndefined();
    expect(log.lines.join()).toContain('notify rejected by receiver');
  });

  it('gives up on a receiver that does not answer within the timeout', async () => {
    const { url } = await receiver(() => {});
    const log = captureLog();
    const started = performance.now();
    await createNotifier({ url, secret: SECRET, timeoutMs: 100, log })(report);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(log.lines.join()).toContain('timeout');
  });

  it("gives up within 1.5 s by default, inside the callback's default wait", () => {
    expect(DEFAULT_NOTIFY_TIMEOUT_MS).toBeLessThanOrEqual(DEFAULT_NOTIFY_WAIT_MS);
  });

  it('resolves, logging it, when the transport fails, without the secret or the query string of the URL', async () => {
    const log = captureLog();
    const failing = vi
      .fn<HttpTransport>()
      .mockRejectedValue(new HttpTransportError('network', 'connect', { cause: new Error('ECONNREFUSED') }));
    const notify = createNotifier({
      url: 'http://127.0.0.1:9/hook?key=query-secret',
      secret: SECRET,
      transport: failing,
      log,
    });
    await expect(notify(report)).resolves.toBeUndefined();
    const output = log.lines.join('\n');
    expect(output).toContain('notify failed');
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

/** A port nothing listens on: opened, noted, closed. */
async function refusedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}/hooks/wechat`;
}

function callbackNotifying(url: string, options: { notifyWaitMs?: number; timeoutMs?: number } = {}) {
  const log = captureLog();
  const store = createMemoryStore(() => NOW_MS);
  const handle = driveCallback(
    createCallbackHandler(
      callbackDeps({
        store,
        notify: createNotifier({ url, secret: SECRET, timeoutMs: options.timeoutMs ?? 2000, log }),
        notifyWaitMs: options.notifyWaitMs ?? 1500,
        log,
      }),
    ),
  );
  return { handle, log };
}

describe('the callback notifying the operator through a real receiver', () => {
  it('has notified a receiver that answers in 50 ms before it answers WeChat', async () => {
    const { url, received } = await receiver((res) => setTimeout(() => res.writeHead(204).end(), 50));
    const { handle, log } = callbackNotifying(url);

    const res = await handle(safePush(massSendJobFinish()));

    expect(res.body).toBe('success');
    expect(received).toHaveLength(1);
    expect(JSON.parse(received[0]?.body ?? '')).toMatchObject({ msgId: '3147494552' });
    expect(log.lines.join()).toContain('notify delivered');
  });

  it('answers WeChat within about notifyWaitMs when the receiver hangs', async () => {
    const { url, received } = await receiver(() => {});
    const { handle, log } = callbackNotifying(url, { notifyWaitMs: 200, timeoutMs: 2000 });

    const started = performance.now();
    const res = await handle(safePush(massSendJobFinish()));
    const elapsed = performance.now() - started;

    expect(res.body).toBe('success');
    expect(elapsed).toBeLessThan(200 + 300);
    expect(received).toHaveLength(1);
    expect(log.lines.join()).toContain('notification still pending');
    expect(log.lines.join()).not.toContain('notify delivered');
  });

  it('answers success when the receiver answers 500', async () => {
    const { url, received } = await receiver((res) => res.writeHead(500).end('nope'));
    const { handle, log } = callbackNotifying(url);
    expect((await handle(safePush(massSendJobFinish()))).body).toBe('success');
    expect(received).toHaveLength(1);
    expect(log.lines.join()).toContain('notify rejected by receiver');
  });

  it('answers success when the receiver refuses the connection', async () => {
    const { handle, log } = callbackNotifying(await refusedUrl());
    expect((await handle(safePush(massSendJobFinish()))).body).toBe('success');
    expect(log.lines.join()).toContain('notify failed');
  });

  it('notifies only the first delivery of a report', async () => {
    const { url, received } = await receiver((res) => res.writeHead(204).end());
    const { handle } = callbackNotifying(url);
    await handle(safePush(massSendJobFinish(), { nonce: 'first-try' }));
    await handle(safePush(massSendJobFinish(), { nonce: 'second-try' }));
    expect(received).toHaveLength(1);
  });
});
