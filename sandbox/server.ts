import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleControl } from './control-routes';
import type { SandboxControl } from './control';
import { createControl } from './control';
import { sendJson } from './http-io';
import { handleWeChatCall } from './router';
import type { SandboxOptions } from './state';
import { createState } from './state';

export type { SandboxOptions, CallbackConfig, CallbackMode } from './state';
export { DEMO_ACCOUNTS, DEMO_MEDIA } from './accounts';
export { bulkOpenId } from './bulk-followers';

/**
 * A local stand-in for WeChat's API (api.weixin.qq.com): point the product's base URL at
 * `url`. It shares no code with the product, so a bug cannot hide on both sides.
 */
export interface Sandbox extends SandboxControl {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const state = createState(options);
  const control = createControl(state);
  // Validates the callback (a compat/safe callback needs a 43-character EncodingAESKey).
  if (options.callback) control.setCallback(options.callback);

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sandbox.local');
    const work = url.pathname.startsWith('/__sandbox')
      ? handleControl(control, req, res, url)
      : handleWeChatCall(state, req, res, url);
    work.catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      state.log(`sandbox: internal error on ${req.method ?? '?'} ${url.pathname}: ${message}`);
      sendJson(res, 200, { errcode: -1, errmsg: 'system error' });
    });
  });
  server.on('clientError', (_error, socket) => socket.destroy());

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  let closed: Promise<void> | undefined;
  return {
    ...control,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close() {
      closed ??= (async () => {
        state.closing.abort();
        for (const timer of state.timers) clearTimeout(timer);
        state.timers.clear();
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await stopped;
        await control.waitForPushes();
      })();
      return closed;
    },
  };
}
