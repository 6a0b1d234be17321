import { startGateway } from '../local/gateway';
import { ACCOUNT, functionEnv, startBenchSandbox } from './bench-sandbox';
import type { Cleanup } from './cleanup';
import { apiGatewayEvent, apiRequest, BENCH_API_KEY } from './events';
import { loadBundle, silenced, withEnv } from './in-process-handler';
import { describeLoad, httpTarget, runLoad, type Call, type LoadResult } from './load';
import { round } from './stats';

export interface ApiOverheadOptions {
  distDir: string;
  requests: number;
  concurrency: number;
  warmup: number;
  cleanup: Cleanup;
}

export interface ApiOverheadResult {
  requests: number;
  concurrency: number;
  msgId: string;
  /** Through the local gateway: what a client of the product sees. */
  product: LoadResult & { what: string };
  /** The same bundle's main_handler called in this process: the product without the gateway. */
  handlerOnly: LoadResult & { what: string };
  bare: LoadResult & { what: string };
  /** product.p50Ms / bare.p50Ms. */
  p50Ratio: number;
  /** product.perSecond / bare.perSecond. */
  throughputRatio: number;
  handlerOnlyP50Ratio: number;
  handlerOnlyThroughputRatio: number;
  logLines: { gateway: number; sandbox: number; handlerOnly: number };
}

function expectJson(predicate: (body: Record<string, unknown>) => boolean, what: string) {
  return (status: number, text: string) => {
    if (status !== 200 || !predicate(JSON.parse(text) as Record<string, unknown>))
      throw new Error(`${what}: unexpected answer ${status} ${text.slice(0, 200)}`);
  };
}

async function sendThroughGateway(gatewayUrl: string): Promise<string> {
  const sent = await fetch(`${gatewayUrl}/send-by-tag`, {
    method: 'POST',
    headers: { authorization: `Bearer ${BENCH_API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      audience: { tagId: 100 },
      message: { type: 'text', content: 'bench api overhead' },
      clientMsgId: `bench-api-${Date.now()}`,
    }),
  });
  const body = (await sent.json()) as { msgId?: string };
  if (sent.status !== 200 || !body.msgId)
    throw new Error(`send-by-tag through the gateway failed: ${sent.status} ${JSON.stringify(body)}`);
  return body.msgId;
}

/**
 * GET /status through the local gateway (HTTP → SCF event → the bundle in its own container
 * process → mass/get on the sandbox + the store → back), next to the bare mass/get round trip
 * the function itself makes, at the same concurrency and count. The status bundle called in
 * this process shows how much of the difference is the local gateway's.
 */
export async function measureApiOverhead(options: ApiOverheadOptions): Promise<ApiOverheadResult> {
  const { distDir, requests, concurrency, warmup, cleanup } = options;
  const bench = await startBenchSandbox(cleanup);
  const env = functionEnv(bench.sandbox.url, 'memory:');
  let gatewayLines = 0;
  const gateway = await startGateway({
    distDir,
    env,
    log: () => {
      gatewayLines += 1;
    },
  });
  cleanup.defer('local gateway and its containers', () => gateway.close());
  const msgId = await sendThroughGateway(gateway.url);

  const product = httpTarget(
    {
      method: 'GET',
      url: `${gateway.url}/status?msgId=${msgId}`,
      headers: { authorization: `Bearer ${BENCH_API_KEY}` },
      check: expectJson((b) => b.msgId === msgId && typeof b.status === 'string', 'GET /status'),
    },
    concurrency,
  );
  cleanup.defer('product client', () => product.close());
  const token = await bench.accessToken();
  const bare = httpTarget(
    {
      method: 'POST',
      url: `${bench.sandbox.url}/cgi-bin/message/mass/get?access_token=${encodeURIComponent(token)}`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ msg_id: Number(msgId) }),
      check: expectJson((b) => String(b.msg_id) === msgId && typeof b.msg_status === 'string', 'mass/get'),
    },
    concurrency,
  );
  cleanup.defer('bare client', () => bare.close());
  const status = loadBundle(distDir, 'status');
  const event = apiGatewayEvent(apiRequest('GET', '/status', undefined, { msgId }));
  const handlerOnly: Call = async () => {
    const reply = await status(event, { request_id: 'bench' });
    expectJson((b) => b.msgId === msgId, 'status main_handler')(reply.statusCode ?? 0, reply.body ?? '');
  };

  const { result: runs, logLines } = await silenced(async () => {
    // Warm-up (cold starts, token fetches, JIT, sockets) is not counted; the in-process
    // handler's first call builds its dependencies from the function environment.
    await runLoad(product.call, warmup, concurrency);
    await runLoad(bare.call, warmup, concurrency);
    await withEnv(env, () => handlerOnly());
    await runLoad(handlerOnly, warmup, concurrency);
    // Halves interleaved, so drift in machine load falls on every side.
    const half = Math.floor(requests / 2);
    const out = {
      bare: [] as Awaited<ReturnType<typeof runLoad>>[],
      product: [] as Awaited<ReturnType<typeof runLoad>>[],
      handler: [] as Awaited<ReturnType<typeof runLoad>>[],
    };
    for (const count of [half, requests - half]) {
      out.bare.push(await runLoad(bare.call, count, concurrency));
      out.product.push(await runLoad(product.call, count, concurrency));
      out.handler.push(await runLoad(handlerOnly, count, concurrency));
    }
    return out;
  });
  const productResult = describeLoad(runs.product);
  const handlerResult = describeLoad(runs.handler);
  const bareResult = describeLoad(runs.bare);
  return {
    requests,
    concurrency,
    msgId,
    product: {
      ...productResult,
      what:
        'GET /status?msgId= via the local gateway → status bundle ' +
        'in its container process (memory store) → sandbox mass/get',
    },
    handlerOnly: {
      ...handlerResult,
      what:
        "the same status bundle's main_handler called in the bench " +
        'process with an API Gateway event (no gateway, no IPC)',
    },
    bare: {
      ...bareResult,
      what: `POST /cgi-bin/message/mass/get straight to the sandbox with ${ACCOUNT.appid}'s token`,
    },
    p50Ratio: round(productResult.p50Ms / bareResult.p50Ms, 2),
    throughputRatio: round(productResult.perSecond / bareResult.perSecond, 3),
    handlerOnlyP50Ratio: round(handlerResult.p50Ms / bareResult.p50Ms, 2),
    handlerOnlyThroughputRatio: round(handlerResult.perSecond / bareResult.perSecond, 3),
    logLines: { gateway: gatewayLines, sandbox: bench.logLines(), handlerOnly: logLines },
  };
}
