import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A tiny local callback URL that records what the sandbox pushes; `delayMs` per request. */
export interface ReceivedPush {
  query: URLSearchParams;
  body: string;
}

export interface CallbackReceiver {
  url: string;
  received: ReceivedPush[];
  /** Delay for the n-th request (0-based); the default answers at once. */
  delayFor: (n: number) => number;
  statusFor: (n: number) => number;
  close(): Promise<void>;
}

export async function startCallbackReceiver(): Promise<CallbackReceiver> {
  const receiver: CallbackReceiver = {
    url: '',
    received: [],
    delayFor: () => 0,
    statusFor: () => 200,
    close: async () => undefined,
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const n = receiver.received.length;
      receiver.received.push({
        query: new URL(req.url ?? '/', 'http://x').searchParams,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(receiver.statusFor(n), { 'content-type': 'text/plain' });
        res.end('success');
      }, receiver.delayFor(n));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}
