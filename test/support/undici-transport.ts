import { request, type Dispatcher } from 'undici';
import { DEFAULT_MAX_RESPONSE_BYTES, HttpTransportError, type HttpTransport } from '../../shared/transport/transport';

/**
 * The product's transport seam served by undici, so unit tests can keep faking WeChat with a
 * MockAgent (exact interceptors, disableNetConnect, assertNoPendingInterceptors). Production
 * runs shared/transport/node-transport.ts, which test/shared/transport/ checks against real
 * local HTTP(S) servers.
 */
export function undiciTransport(dispatcher: Dispatcher): HttpTransport {
  return async (req) => {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new HttpTransportError('timeout', 'response'));
        controller.abort();
      }, req.timeoutMs);
    });
    const exchange = (async () => {
      try {
        const res = await request(req.url, {
          method: req.method,
          headers: req.headers,
          body: req.body === undefined ? undefined : Buffer.from(req.body),
          dispatcher,
          signal: controller.signal,
        });
        const body = Buffer.from(await res.body.arrayBuffer());
        if (body.length > (req.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES)) {
          throw new HttpTransportError('too_large', 'response');
        }
        return { status: res.statusCode, headers: res.headers, body };
      } catch (err) {
        if (err instanceof HttpTransportError) throw err;
        throw new HttpTransportError('network', 'response', { cause: err });
      }
    })();
    exchange.catch(() => {});
    try {
      return await Promise.race([exchange, deadline]);
    } finally {
      clearTimeout(timer);
    }
  };
}
