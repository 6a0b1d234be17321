import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A pass-through between the product and the WeChat sandbox that notes every access token on
 * the wire: the ones WeChat hands out (`token`, `stable_token` replies) and the ones presented
 * (`?access_token=`). The sandbox shows none of them, on purpose; the secrets scan needs all
 * of them, including those revoked or replaced on the way.
 * When the product gives up on a call (its timeout), the upstream call is dropped too, so a
 * held sandbox answer ends as it would with WeChat.
 */
export interface TokenRecorder {
  url: string;
  tokens: Set<string>;
  close(): Promise<void>;
}

const TOKEN_PATHS = new Set(['/cgi-bin/token', '/cgi-bin/stable_token']);

export async function startTokenRecorder(target: string): Promise<TokenRecorder> {
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: true });
  const tokens = new Set<string>();

  function note(text: string): void {
    try {
      const token = (JSON.parse(text) as { access_token?: unknown }).access_token;
      if (typeof token === 'string' && token) tokens.add(token);
    } catch {
      // Not JSON (an HTTP 500 fault, say): nothing to note.
    }
  }

  function forward(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', upstream);
    const presented = url.searchParams.get('access_token');
    if (presented) tokens.add(presented);
    const out = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: `${url.pathname}${url.search}`,
        headers: { ...req.headers, host: upstream.host },
        agent,
      },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const body = Buffer.concat(chunks);
          if (TOKEN_PATHS.has(url.pathname)) note(body.toString('utf8'));
          if (res.destroyed) return;
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          res.end(body);
        });
        answer.on('error', () => res.destroy());
      },
    );
    out.on('error', () => res.destroy());
    res.on('close', () => {
      if (!res.writableFinished) out.destroy();
    });
    req.pipe(out);
  }

  const server = createServer(forward);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    tokens,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
