import { createDecipheriv, createHash, timingSafeEqual } from 'node:crypto';
import { ACCOUNT } from './bench-sandbox';
import {
  apiGatewayEvent,
  BENCH_AES_KEY,
  BENCH_CALLBACK_TOKEN,
  massSendJobFinishXml,
  signedEncryptedPush,
  type SignedPush,
} from './events';
import { loadBundle, silenced, withEnv, type ScfHandler } from './in-process-handler';
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

const aesKey = Buffer.from(`${BENCH_AES_KEY}=`, 'base64');

function sha1Matches(expected: string | undefined, parts: string[]): boolean {
  const actual = createHash('sha1').update(parts.sort().join('')).digest('hex');
  return (
    expected !== undefined &&
    expected.length === actual.length &&
    timingSafeEqual(Buffer.from(expected), Buffer.from(actual))
  );
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
  if (!sha1Matches(push.query.msg_signature, [BENCH_CALLBACK_TOKEN, timestamp, nonce, encrypt]))
    throw new Error('bad msg_signature');
  const decipher = createDecipheriv('aes-256-cbc', aesKey, aesKey.subarray(0, 16));
  decipher.setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(Buffer.from(encrypt, 'base64')), decipher.final()]);
  const length = plain.readUInt32BE(16);
  return plain.toString('utf8', 20, 20 + length);
}

function makeBatch(size: number, firstMsgId: number): SignedPush[] {
  const now = Date.now();
  return Array.from({ length: size }, (_, i) =>
    signedEncryptedPush(
      massSendJobFinishXml(String(firstMsgId + i), ACCOUNT.ghId, Math.floor(now / 1000)),
      ACCOUNT.appid,
      now,
      `n${firstMsgId + i}`,
    ),
  );
}

const pushEvent = (push: SignedPush, requestId: string) =>
  apiGatewayEvent(
    { method: 'POST', path: '/callback', query: push.query, headers: { 'content-type': 'text/xml' }, body: push.body },
    requestId,
  );

const ENV = {
  WECHAT_APP_ID: ACCOUNT.appid,
  WECHAT_TOKEN: BENCH_CALLBACK_TOKEN,
  WECHAT_ENCODING_AES_KEY: BENCH_AES_KEY,
  STORE_URL: 'memory:',
};

async function warmUp(handler: ScfHandler, msgId: number): Promise<void> {
  const [push] = makeBatch(1, msgId);
  const reply = await withEnv(ENV, () => handler(pushEvent(push!, 'warm-up'), { request_id: 'warm-up' }));
  if (reply.statusCode !== 200 || reply.body !== 'success')
    throw new Error(`the callback refused the warm-up push: ${reply.statusCode} ${reply.body}`);
}

/**
 * Distinct MsgIDs, so every push is a first delivery and a store write (a redelivery would
 * only find the report already there). One push at a time, awaited: one container on one core.
 * Batches of pushes are prepared untimed, then timed through the handler and through the bare
 * crypto in turn, until the handler has run for `durationMs`.
 */
export async function measureCallbackThroughput(options: CallbackThroughputOptions): Promise<CallbackThroughputResult> {
  const { distDir, durationMs, batchSize } = options;
  const handler = loadBundle(distDir, 'callback');
  let handlerNs = 0n;
  let bareNs = 0n;
  let pushes = 0;
  let success = 0;
  let nextMsgId = 8_000_000_000;
  const { logLines } = await silenced(async () => {
    await warmUp(handler, nextMsgId++);
    const budgetNs = BigInt(durationMs) * 1_000_000n;
    for (let batch = 0; handlerNs < budgetNs && batch < 1_000; batch += 1) {
      const prepared = makeBatch(batchSize, nextMsgId);
      nextMsgId += batchSize;
      const events = prepared.map((push, i) => pushEvent(push, `push-${i}`));
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
  });
  if (success !== pushes)
    throw new Error(
      `the callback answered ${pushes - success} of ${pushes} pushes with something other than 200 success`,
    );
  const handlerMs = Number(handlerNs) / 1e6;
  const bareMs = Number(bareNs) / 1e6;
  const handlerRate = pushes / (handlerMs / 1000);
  const bareRate = pushes / (bareMs / 1000);
  return {
    pushes,
    handler: {
      ms: round(handlerMs),
      perSecond: Math.round(handlerRate),
      answeredSuccess: success,
      logLinesSilenced: logLines,
    },
    bare: {
      ms: round(bareMs),
      perSecond: Math.round(bareRate),
      what: 'sha1 signature + sha1 msg_signature (timingSafeEqual) + AES-256-CBC decrypt',
    },
    ratio: round(handlerRate / bareRate, 3),
  };
}
