import { readFileSync } from 'node:fs';
import { createServer, type Server, Agent } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { connect } from 'node:tls';

/**
 * A local HTTPS server standing in for a file host on the internet: its certificate names
 * files.example.test (a self-signed fixture), and `agent` dials it on loopback whatever
 * address the downloader pinned, recording that address so a test can assert which one the
 * connection was meant for. Nothing leaves the machine.
 */
const TLS_DIR = join(__dirname, '..', 'fixtures', 'tls');
export const SOURCE_HOST = 'files.example.test';
export const SOURCE_CERT = readFileSync(join(TLS_DIR, 'files.example.test.crt'));
const SOURCE_KEY = readFileSync(join(TLS_DIR, 'files.example.test.key'));

export type SourceRoute = (res: import('node:http').ServerResponse) => void;

export interface HttpsSource {
  url(path: string): string;
  agent: Agent;
  /** Dials the same server but trusts only the system CAs, as production does. */
  untrustingAgent: Agent;
  /** The addresses the downloader asked the agent to connect to. */
  dialled: string[];
  requests: string[];
  close(): Promise<void>;
}

export async function startHttpsSource(routes: Record<string, SourceRoute>): Promise<HttpsSource> {
  const requests: string[] = [];
  const server: Server = createServer({ cert: SOURCE_CERT, key: SOURCE_KEY }, (req, res) => {
    requests.push(req.url ?? '');
    const route = routes[req.url ?? ''];
    if (route) route(res);
    else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const dialled: string[] = [];

  const loopbackAgent = (trust: boolean) =>
    new (class extends Agent {
      override createConnection(options: Record<string, any>) {
        options.lookup?.(options.host, {}, (_err: unknown, address: string) => dialled.push(address));
        const servername = options.servername ?? SOURCE_HOST;
        return connect({ host: '127.0.0.1', port, servername, ...(trust ? { ca: SOURCE_CERT } : {}) });
      }
    })({ keepAlive: false });
  const agent = loopbackAgent(true);
  const untrustingAgent = loopbackAgent(false);
  return {
    url: (path) => `https://${SOURCE_HOST}${path}`,
    agent,
    untrustingAgent,
    dialled,
    requests,
    async close() {
      agent.destroy();
      untrustingAgent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
