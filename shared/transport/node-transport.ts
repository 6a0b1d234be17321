import type { Agent as HttpAgent, ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import type { Socket } from 'node:net';
import { loadLazily } from '../runtime/load-lazily';
import {
  DEFAULT_MAX_RESPONSE_BYTES,
  HttpTransportError,
  type HttpFailure,
  type HttpRequest,
  type HttpResponse,
  type HttpTransport,
} from './transport';

export interface NodeTransportOptions {
  /** Extra trusted CA certificates (PEM) for https, e.g. a local test CA. Default: Node's. */
  ca?: string | Buffer | Array<string | Buffer>;
  /**
   * An idle kept-alive socket older than this is closed instead of reused. undici's default
   * (keepAliveTimeout 4 s) for the same reason: a server that closed its end while the
   * container was frozen leaves a socket that only fails when written to.
   */
  keepAliveIdleMs?: number;
  /** Concurrent sockets per origin (the bench drives 8 at a time; WeChat calls are serial). */
  maxSockets?: number;
}

interface Protocol {
  request: (url: URL, options: RequestOptions, callback?: (res: IncomingMessage) => void) => ClientRequest;
  agent: HttpAgent;
  secure: boolean;
}

// ECONNRESET/EPIPE on a reused socket before any reply: the server had closed it while idle.
const STALE_SOCKET_ERRORS = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

// The global `performance` loads perf_hooks on first use (a dozen modules, about 1.5 ms of a
// cold start, measured with process.moduleLoadList); process.hrtime is there from the start.
const monotonicMs = () => Number(process.hrtime.bigint()) / 1e6;

/**
 * HTTP over node:http/node:https with one keep-alive agent per protocol for the container's
 * life. node:http is part of every Node process and costs a few ms to load; Node's built-in
 * fetch loads undici on first use, which costs a cold container 70-120 ms and about 40 MiB
 * (issue 13, measured by `npm run bench`). Each protocol's module loads on its first request
 * (loadLazily: with require() in the bundles).
 */
export function createNodeTransport(options: NodeTransportOptions = {}): HttpTransport & { close(): void } {
  const idleMs = options.keepAliveIdleMs ?? 4_000;
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 16, scheduling: 'lifo' as const };
  const idleSince = new WeakMap<Socket, number>();
  const protocols = new Map<string, Promise<Protocol>>();

  function watchIdle(agent: HttpAgent): HttpAgent {
    agent.on('free', (socket: Socket) => idleSince.set(socket, Date.now()));
    return agent;
  }

  function protocol(url: URL): Promise<Protocol> {
    const scheme = url.protocol;
    let loaded = protocols.get(scheme);
    if (!loaded) {
      if (scheme === 'https:') {
        loaded = loadLazily(
          () => require('node:https') as typeof import('node:https'),
          () => import('node:https'),
        ).then((https) => ({
          request: https.request,
          agent: watchIdle(new https.Agent({ ...agentOptions, ...(options.ca ? { ca: options.ca } : {}) })),
          secure: true,
        }));
      } else if (scheme === 'http:') {
        loaded = loadLazily(
          () => require('node:http') as typeof import('node:http'),
          () => import('node:http'),
        ).then((http) => ({
          request: http.request,
          agent: watchIdle(new http.Agent(agentOptions)),
          secure: false,
        }));
      } else {
        return Promise.reject(new TypeError(`unsupported URL scheme ${scheme}`));
      }
      protocols.set(scheme, loaded);
    }
    return loaded;
  }

  /** Closes idle sockets past `idleMs` so the next request opens a fresh one. */
  function dropStaleSockets(agent: HttpAgent): void {
    const now = Date.now();
    for (const sockets of Object.values(agent.freeSockets)) {
      for (const socket of sockets ?? []) {
        if (now - (idleSince.get(socket) ?? now) > idleMs) socket.destroy();
      }
    }
  }

  async function send(request: HttpRequest): Promise<HttpResponse> {
    const proto = await protocol(request.url);
    const deadline = monotonicMs() + request.timeoutMs;
    try {
      dropStaleSockets(proto.agent);
      return await exchange(proto, request, request.timeoutMs);
    } catch (err) {
      // Node documents this retry for keep-alive clients (http.ClientRequest#reusedSocket). Only
      // GET is repeated: a POST to WeChat may be a mass send, which is never sent twice here.
      if (!(err instanceof StaleSocketError) || request.method !== 'GET') throw unwrap(err);
      return await exchange(proto, request, Math.max(1, deadline - monotonicMs())).catch((again) => {
        throw unwrap(again);
      });
    }
  }

  return Object.assign(send, {
    close() {
      for (const loaded of protocols.values()) void loaded.then((p) => p.agent.destroy());
      protocols.clear();
    },
  });
}

class StaleSocketError extends Error {
  constructor(readonly failure: HttpTransportError) {
    super(failure.message);
  }
}

function unwrap(err: unknown): unknown {
  return err instanceof StaleSocketError ? err.failure : err;
}

function exchange(proto: Protocol, request: HttpRequest, timeoutMs: number): Promise<HttpResponse> {
  const { url, body, signal } = request;
  const limit = request.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const headers: Record<string, string | number> = { ...request.headers };
  if (body !== undefined) headers['content-length'] = Buffer.byteLength(body);

  return new Promise<HttpResponse>((resolve, reject) => {
    let phase: 'connect' | 'response' = 'connect';
    let settled = false;
    let answered = false;
    const finish = (error?: Error, response?: HttpResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (error) {
        req.destroy();
        reject(error);
      } else resolve(response!);
    };
    const fail = (kind: HttpFailure, cause?: unknown) => {
      const failure = new HttpTransportError(kind, phase, { cause: describeCause(cause) });
      const code = (cause as NodeJS.ErrnoException | undefined)?.code;
      const stale = kind === 'network' && req.reusedSocket && !answered && STALE_SOCKET_ERRORS.has(code ?? '');
      finish(stale ? new StaleSocketError(failure) : failure);
    };
    const onAbort = () => fail('aborted', signal?.reason);
    const timer = setTimeout(() => fail('timeout'), timeoutMs);

    const req = proto.request(url, { method: request.method, headers, agent: proto.agent }, (res) => {
      answered = true;
      phase = 'response';
      const chunks: Buffer[] = [];
      let size = 0;
      let ended = false;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) fail('too_large');
        else chunks.push(chunk);
      });
      res.on('end', () => {
        ended = true;
        finish(undefined, { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks, size) });
      });
      res.on('error', (err) => fail('network', err));
      res.on('close', () => {
        if (!ended) fail('network', new Error('connection closed before the reply ended'));
      });
    });
    req.on('socket', (socket: Socket) => {
      if (req.reusedSocket) phase = 'response';
      else socket.once(proto.secure ? 'secureConnect' : 'connect', () => (phase = 'response'));
    });
    req.on('error', (err) => fail('network', err));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    req.end(body);
  });
}

/** Keeps the error's code and message (never the URL: Node's messages do not carry it). */
function describeCause(cause: unknown): Error | undefined {
  if (!(cause instanceof Error)) return undefined;
  const code = (cause as NodeJS.ErrnoException).code;
  return Object.assign(new Error(cause.message), code ? { code } : {});
}

let shared: (HttpTransport & { close(): void }) | undefined;

/** The container's transport: built on first use, its sockets kept for later invocations. */
export function defaultTransport(): HttpTransport {
  shared ??= createNodeTransport();
  return shared;
}
