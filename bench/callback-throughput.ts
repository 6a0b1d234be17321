import { createDecipheriv, createHash, timingSafeEqual } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ACCOUNT } from './bench-sandbox';
import { apiGatewayEvent, BENCH_AES_KEY, BENCH_CALLBACK_TOKEN, massSendJobFinishXml, signedEncryptedPush, type SignedPush } from './events';
import { round } from './stats';

export interface CallbackThroughputOptions {
  distDir: string;
  /** Time spent inside the real handler, in ms; pushes are prepared outside it. */
  durationMs: number;
  batchSize: number;
}

export interface CallbackThroughputResult {
  pushes: number;
  handler: { ms: number; perSecond: number; answeredSuccess: number; logLinesSilenced: number };
  bare: { ms: number; perSecond: number; what: string };
  /** handler.perSecond / bare.perSecond. */
  ratio: number;
}

type Handler = (event: unknown, context: { request_id: string }) => Promise<{ statusCode?: number; body?: string }>;

const aesKey = Buffer.from(`${BENCH_AES_KEY}=`, 'base64');

function sha1Matches(expected: string | undefined, parts: string[]): boolean {
  const actual = createHash('sha1').update(parts.sort().join('')).digest('hex');
  return expected !== undefined && expected.length === actual.length && timingSafeEqual(Buffer.from(expected), Buffer.from(actual));
}

/**
 * The least any callback must do with a safe-mode push: find Encrypt, check `signature` and
 * `msg_signature` (sha1, constant-time compare), AES-256-CBC decrypt, read the length-prefixed
 * XML. No XML parsing, no validation of the result, no store.
 */
export function bareVerifyAndDecrypt(push: { query: Record<string, string>; body: string }): string {
  const { timestamp = '', nonce = '' } = push.query;
  const start = push.body.indexOf('<Encrypt><![CDATA[') + '<Encrypt><![CDATA['.length;
  const encrypt = push.body.slice(start, push.body.indexOf(']]></Encrypt>', start));
  if (!sha1Matches(push.query.signature, [BENCH_CALLBACK_TOKEN, timestamp, nonce])) throw new Error('bad signature');
  if (!sha1Matches(push.query.msg_signature, [BENCH_CALLBACK_TOKEN, timestamp, nonce, encrypt])) throw new Error('bad msg_signature');
  const decipher = createDecipheriv('aes-256-cbc', aesKey, aesKey.subarray(0, 16));
  decipher.setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(Buffer.from(encrypt, 'base64')), decipher.final()]);
  const length = plain.readUInt32BE(16);
  return plain.toString('utf8', 20, 20 + length);
}

function loadCallbackHandler(distDir: string): Handler {
  const bundle = createRequire(import.meta.filename)(join(distDir, 'callback', 'index.js')) as { main_handler: Handler };
  return bundle.main_handler;
}

function makeBatch(size: number, firstMsgId: number): SignedPush[] {
  const now = Date.now();
  return Array.from({ length: size }, (_, i) =>
    signedEncryptedPush(massSendJobFinishXml(String(firstMsgId + i), ACCOUNT.ghId, Math.floor(now / 1000)), ACCOUNT.appid, now, `n${firstMsgId + i}`),
  );
}

const CONFIG = { WECHAT_APP_ID: ACCOUNT.appid, WECHAT_TOKEN: BENCH_CALLBACK_TOKEN, WECHAT_ENCODING_AES_KEY: BENCH_AES_KEY, STORE_URL: 'memory:' };

/**
 * Distinct MsgIDs, so every push is a first delivery and a store write (a redelivery would
 * only find the report already there). One push at a time, awaited: one container on one core.
 */
export async function measureCallbackThroughput(options: CallbackThroughputOptions): Promise<CallbackThroughputResult> {
  const { distDir, durationMs, batchSize } = options;
  const saved = Object.fromEntries(Object.keys(CONFIG).map((k) => [k, process.env[k]]));
  Object.assign(process.env, CONFIG);
  const handler = loadCallbackHandler(distDir);
  const consoleLog = console.log;
  let logLines = 0;
  let handlerNs = 0n;
  let bareNs = 0n;
  let pushes = 0;
  let success = 0;
  let nextMsgId = 8_000_000_000;
  try {
    // The first call builds the container's dependencies from the environment (then restored).
    console.log = () => void (logLines += 1);
    const [warm] = makeBatch(1, nextMsgId++);
    const first = await handler(apiGatewayEvent({ method: 'POST', path: '/callback', query: warm!.query, body: warm!.body }), { request_id: 'warm' });
    if (first.statusCode !== 200 || first.body !== 'success') throw new Error(`callback refused the warm-up push: ${first.statusCode} ${first.body}`);
    const deadlineNs = BigInt(durationMs) * 1_000_000n;
    for (let batch = 0; handlerNs < deadlineNs && batch < 1_000; batch += 1) {
      const prepared = makeBatch(batchSize, nextMsgId);
      nextMsgId += batchSize;
      const events = prepared.map((p, i) => apiGatewayEvent({ method: 'POST', path: '/callback', query: p.query, headers: { 'content-type': 'text/xml' }, body: p.body }, `push-${i}`));
      let started = process.hrtime.bigint();
      for (const event of events) {
        const reply = await handler(event, { request_id: 'bench' });
        if (reply.statusCode === 200 && reply.body === 'success') success += 1;
      }
      handlerNs += process.hrtime.bigint() - started;
      started = process.hrtime.bigint();
      let chars = 0;
      for (const push of prepared) chars += bareVerifyAndDecrypt(push).length;
      bareNs += process.hrtime.bigint() - started;
      if (chars === 0) throw new Error('bare decrypt yielded nothing');
      pushes += batchSize;
    }
  } finally {
    console.log = consoleLog;
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
  if (success !== pushes) throw new Error(`the callback answered ${pushes - success} of ${pushes} pushes with something other than 200 success`);
  const handlerMs = Number(handlerNs) / 1e6;
  const bareMs = Number(bareNs) / 1e6;
  const handlerRate = pushes / (handlerMs / 1000);
  const bareRate = pushes / (bareMs / 1000);
  return {
    pushes,
    handler: { ms: round(handlerMs), perSecond: Math.round(handlerRate), answeredSuccess: success, logLinesSilenced: logLines },
    bare: { ms: round(bareMs), perSecond: Math.round(bareRate), what: 'sha1 signature + sha1 msg_signature (timingSafeEqual) + AES-256-CBC decrypt' },
    ratio: round(handlerRate / bareRate, 3),
  };
}
