import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeTokenServer {
  url: string;
  /** stable_token requests received, per AppID. */
  requests(appId: string): number;
  /** performance.now() when the first request for the AppID arrived and when it was answered. */
  timeline(appId: string): { requestedAt?: number; answeredAt?: number };
  close(): Promise<void>;
}

/**
 * Answers `POST /cgi-bin/stable_token` after `delayMs` (WeChat's own latency, roughly) with
 * one token per AppID, and counts the requests. Anything else is a 404.
 */
export async function startFakeTokenServer(delayMs: number): Promise<FakeTokenServer> {
  const counts = new Map<string, number>();
  const timelines = new Map<string, { requestedAt?: number; answeredAt?: number }>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/cgi-bin/stable_token') {
        res.writeHead(404).end();
        return;
      }
      const { appid = '' } = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { appid?: string };
      counts.set(appid, (counts.get(appid) ?? 0) + 1);
      const timeline = timelines.get(appid) ?? {};
      timeline.requestedAt ??= performance.now();
      timelines.set(appid, timeline);
      setTimeout(() => {
        timeline.answeredAt ??= performance.now();
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ access_token: `bench-token-for-${appid}`, expires_in: 7200 }));
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: (appId) => counts.get(appId) ?? 0,
    timeline: (appId) => timelines.get(appId) ?? {},
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
