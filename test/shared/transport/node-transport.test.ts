import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createNodeTransport } from '../../../shared/transport/node-transport';
import { HttpTransportError, type HttpRequest } from '../../../shared/transport/transport';
import { createTestCa, hasOpenssl, tlsSuiteTitle, type TestCa } from '../../support/test-ca';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

interface Received {
  method?: string;
  url?: string;
  headers: IncomingMessage['headers'];
  body: string;
}

const closers: Array<() => Promise<void>> = [];
const transports: Array<{ close(): void }> = [];

afterEach(async () => {
  for (const t of transports.splice(0)) t.close();
  await Promise.all(closers.splice(0).map((close) => close()));
});

function track(server: Server | ReturnType<typeof createNetServer>): void {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
}

async function listen(server: Server | ReturnType<typeof createNetServer>): Promise<number> {
  track(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** A real HTTP server on loopback; counts the TCP connections it accepted. */
async function httpServer(handle: Handler) {
  const received: Received[] = [];
  let connections = 0;
  const server = createHttpServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      received.push({ method: req.method, url: req.url, headers: req.headers, body });
      handle(req, res, body);
    });
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', () => (connections += 1));
  const port = await listen(server);
  return { origin: `http://127.0.0.1:${port}`, received, connections: () => connections };
}

function transport(options: Parameters<typeof createNodeTransport>[0] = {}) {
  const t = createNodeTransport(options);
  transports.push(t);
  return t;
}

const get = (url: string, extra: Partial<HttpRequest> = {}): HttpRequest => ({
  method: 'GET',
  url: new URL(url),
  timeoutMs: 2_000,
  ...extra,
});

async function failure(promise: Promise<unknown>): Promise<HttpTransportError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HttpTransportError);
  return err as HttpTransportError;
}

describe('createNodeTransport over HTTP', () => {
  it('posts the body with its headers and content-length and returns status, headers and body', async () => {
    const server = await httpServer((_req, res, body) =>
      res.writeHead(200, { 'content-type': 'application/json', 'x-echo': 'yes' }).end(`{"got":${body}}`),
    );
    const reply = await transport()({
      method: 'POST',
      url: new URL(`${server.origin}/cgi-bin/message/mass/get?access_token=T`),
      headers: { 'content-type': 'application/json' },
      body: '{"msg_id":1}',
      timeoutMs: 2_000,
    });
    expect(reply.status).toBe(200);
    expect(reply.headers['x-echo']).toBe('yes');
    expect(Buffer.from(reply.body).toString()).toBe('{"got":{"msg_id":1}}');
    expect(server.received[0]).toMatchObject({
      method: 'POST',
      url: '/cgi-bin/message/mass/get?access_token=T',
      body: '{"msg_id":1}',
    });
    expect(server.received[0]?.headers['content-length']).toBe('12');
  });

  it('returns a non-200 answer with its status and body instead of throwing', async () => {
    const server = await httpServer((_req, res) => res.writeHead(503).end('busy'));
    const reply = await transport()(get(`${server.origin}/x`));
    expect(reply.status).toBe(503);
    expect(Buffer.from(reply.body).toString()).toBe('busy');
  });

  it('assembles a chunked reply', async () => {
    const server = await httpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"msg_id":');
      setTimeout(() => res.write('3147483649,'), 10);
      setTimeout(() => res.end('"msg_status":"SEND_SUCCESS"}'), 20);
    });
    const reply = await transport()(get(`${server.origin}/x`));
    expect(Buffer.from(reply.body).toString()).toBe('{"msg_id":3147483649,"msg_status":"SEND_SUCCESS"}');
  });

  it('refuses a reply over maxResponseBytes, declared or chunked, without buffering it', async () => {
    const big = 'x'.repeat(64 * 1024);
    const server = await httpServer((req, res) => {
      if (req.url === '/declared') return res.writeHead(200, { 'content-length': big.length }).end(big);
      res.writeHead(200);
      for (let i = 0; i < 8; i += 1) res.write(big);
      res.end();
    });
    const send = transport();
    const declared = await failure(send(get(`${server.origin}/declared`, { maxResponseBytes: 1024 })));
    expect(declared).toMatchObject({ kind: 'too_large', phase: 'response' });
    const chunked = await failure(send(get(`${server.origin}/chunked`, { maxResponseBytes: 100_000 })));
    expect(chunked.kind).toBe('too_large');
    expect((await send(get(`${server.origin}/declared`, { maxResponseBytes: big.length }))).body.length).toBe(
      big.length,
    );
  });

  it('times out, in the response phase, on a server that accepts the request and never answers', async () => {
    const server = await httpServer(() => {});
    const started = performance.now();
    const err = await failure(transport()(get(`${server.origin}/hang`, { timeoutMs: 150 })));
    expect(err).toMatchObject({ kind: 'timeout', phase: 'response' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(performance.now() - started).toBeLessThan(1_500);
    expect(server.received).toHaveLength(1);
  });

  it('times out on a reply that stops half-way', async () => {
    const server = await httpServer((_req, res) => {
      res.writeHead(200, { 'content-length': 100 });
      res.write('{"msg_id":');
    });
    const err = await failure(transport()(get(`${server.origin}/stall`, { timeoutMs: 150 })));
    expect(err).toMatchObject({ kind: 'timeout', phase: 'response' });
  });

  it('reports a reset before any answer, and one in the middle of the body, as network failures', async () => {
    const server = await httpServer((req, res) => {
      if (req.url === '/before') return req.socket.destroy();
      res.writeHead(200, { 'content-length': 100 });
      res.write('{"msg_id":');
      setTimeout(() => req.socket.destroy(), 10);
    });
    const send = transport();
    expect(await failure(send(get(`${server.origin}/before`)))).toMatchObject({ kind: 'network' });
    expect(await failure(send(get(`${server.origin}/middle`)))).toMatchObject({ kind: 'network', phase: 'response' });
  });

  it('reports a refused connection as a network failure in the connect phase', async () => {
    const server = createNetServer();
    const port = await listen(server);
    await closers.pop()!();
    const err = await failure(transport()(get(`http://127.0.0.1:${port}/x`)));
    expect(err).toMatchObject({ kind: 'network', phase: 'connect' });
    expect((err.cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
  });

  it('stops at once when the caller aborts', async () => {
    const server = await httpServer(() => {});
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const err = await failure(transport()(get(`${server.origin}/x`, { timeoutMs: 5_000, signal: controller.signal })));
    expect(err.kind).toBe('aborted');
  });

  it('keeps one connection alive across calls', async () => {
    const server = await httpServer((_req, res) => res.writeHead(200).end('{}'));
    const send = transport();
    for (let i = 0; i < 5; i += 1) expect((await send(get(`${server.origin}/x`))).status).toBe(200);
    expect(server.received).toHaveLength(5);
    expect(server.connections()).toBe(1);
  });

  it('opens a fresh connection instead of reusing one idle longer than keepAliveIdleMs', async () => {
    const server = await httpServer((_req, res) => res.writeHead(200).end('{}'));
    const send = transport({ keepAliveIdleMs: 50 });
    await send(get(`${server.origin}/x`));
    await new Promise((resolve) => setTimeout(resolve, 120));
    await send(get(`${server.origin}/x`));
    expect(server.connections()).toBe(2);
  });

  it('repeats a GET, never a POST, whose kept-alive connection the server had already dropped', async () => {
    // The server answers the first request of each connection and resets the socket on the
    // second, as one that closed an idle connection while the container was frozen would.
    let perSocket = new WeakMap<Socket, number>();
    const server = await httpServer((req, res) => {
      const n = (perSocket.get(req.socket) ?? 0) + 1;
      perSocket.set(req.socket, n);
      if (n > 1) return req.socket.destroy();
      res.writeHead(200).end(req.method ?? '');
    });
    const send = transport();
    await send(get(`${server.origin}/x`));
    const again = await send(get(`${server.origin}/x`));
    expect(Buffer.from(again.body).toString()).toBe('GET');
    expect(server.connections()).toBe(2);

    perSocket = new WeakMap();
    await send({ method: 'POST', url: new URL(`${server.origin}/send`), body: '{}', timeoutMs: 2_000 });
    const err = await failure(
      send({ method: 'POST', url: new URL(`${server.origin}/send`), body: '{}', timeoutMs: 2_000 }),
    );
    expect(err.kind).toBe('network');
    expect(server.received.filter((r) => r.method === 'POST')).toHaveLength(2);
  });

  it('never puts the URL or its query in the error', async () => {
    const server = await httpServer((req) => req.socket.destroy());
    const err = await failure(
      transport()(get(`${server.origin}/cgi-bin/token?secret=APP_SECRET_x9&access_token=TK_7`)),
    );
    const text = `${err.message} ${String(err.cause)} ${JSON.stringify(err)}`;
    expect(text).not.toContain('APP_SECRET_x9');
    expect(text).not.toContain('TK_7');
  });
});

describe.skipIf(!hasOpenssl)(tlsSuiteTitle('createNodeTransport over HTTPS with a local CA'), () => {
  let ca: TestCa;
  beforeAll(() => {
    ca = createTestCa();
  });

  async function httpsServer() {
    let connections = 0;
    const server = createHttpsServer({ key: ca.key, cert: ca.cert }, (_req, res) => res.writeHead(200).end('{"ok":1}'));
    server.keepAliveTimeout = 30_000;
    server.on('secureConnection', () => (connections += 1));
    const port = await listen(server);
    return { origin: `https://127.0.0.1:${port}`, connections: () => connections };
  }

  it('talks to a server whose certificate the given CA signed, reusing the TLS connection', async () => {
    const server = await httpsServer();
    const send = transport({ ca: ca.ca });
    for (let i = 0; i < 3; i += 1)
      expect(Buffer.from((await send(get(`${server.origin}/x`))).body).toString()).toBe('{"ok":1}');
    expect(server.connections()).toBe(1);
  });

  it('refuses the same server without the CA, in the connect phase', async () => {
    const server = await httpsServer();
    const err = await failure(transport()(get(`${server.origin}/x`)));
    expect(err).toMatchObject({ kind: 'network', phase: 'connect' });
    expect(String((err.cause as Error).message)).toMatch(/certificate/);
  });

  it('times out in the connect phase on a server that accepts TCP and never completes the handshake', async () => {
    const server = createNetServer(() => {});
    const port = await listen(server);
    const err = await failure(transport({ ca: ca.ca })(get(`https://127.0.0.1:${port}/x`, { timeoutMs: 150 })));
    expect(err).toMatchObject({ kind: 'timeout', phase: 'connect' });
  });
});
