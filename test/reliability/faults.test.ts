import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS } from '../../sandbox/server';
import { hasRedisServer, redisSuiteTitle, startRedisServer, type RedisServer } from '../support/redis-server';
import { startFaultProduct, type Answer, type FaultProduct } from './support/fault-product';
import { findSecrets, LogCollector, namedTokens } from './support/secrets';
import { startSlowCallback } from './support/slow-callback';
import { reportCounts } from './support/summary';

/**
 * Faults injected at the WeChat sandbox while sends run through the built bundles. For every
 * scenario: no send lost, none made twice (WeChat's accepted messages per clientmsgid), and
 * every answer says what happened (HTTP status plus an error code, WeChat's errcode when
 * there is one, and the clientMsgId to retry with).
 */

const logs = new LogCollector();
const products: FaultProduct[] = [];
const tokens = new Set<string>();
let scenarios = 0;

// Long enough for a loaded CI machine, short enough that a lost answer costs little.
const WECHAT_TIMEOUT_MS = 1_500;
const SENDALL = '/cgi-bin/message/mass/sendall';
const SEND = '/cgi-bin/message/mass/send';
const VIP_TAG = 100;
const [alice, bob] = DEMO_ACCOUNTS.service.followers as [string, string, ...string[]];
// Past the sandbox's 60 s window in which a repeated clientmsgid gets 45066 instead of 45065.
const PAST_RETRY_WINDOW_MS = 61_000;

let run = 0;
const newClientMsgId = (name: string) => `rel-${name}-${Date.now().toString(36)}-${++run}`;

function byTag(clientMsgId: string, content = `reliability ${clientMsgId}`) {
  return { audience: { tagId: VIP_TAG }, message: { type: 'text', content }, clientMsgId };
}

function byList(clientMsgId: string) {
  return { openIds: [alice, bob], message: { type: 'text', content: `reliability ${clientMsgId}` }, clientMsgId };
}

function expectSent(answer: Answer, clientMsgId: string, duplicate = false): string {
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  expect(answer.body).toMatchObject({ clientMsgId, msgId: expect.stringMatching(/^\d+$/) });
  expect(answer.body.duplicate === true).toBe(duplicate);
  return answer.body.msgId as string;
}

/** An error answer that names its cause: status, code, a message, and what WeChat said. */
function expectTold(
  answer: Answer,
  status: number,
  code: string,
  extra: { errcode?: number; clientMsgId?: string; retryAfter?: boolean } = {},
): void {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(answer.body?.error?.code).toBe(code);
  expect(answer.body.error.message).toMatch(/\S/);
  expect(answer.body.error.requestId).toMatch(/\S/);
  if (extra.errcode !== undefined) expect(answer.body.error.errcode).toBe(extra.errcode);
  if (extra.clientMsgId !== undefined) expect(answer.body.error.clientMsgId).toBe(extra.clientMsgId);
  if (extra.retryAfter) expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
}

function expectOneMessage(product: FaultProduct, clientMsgId: string, msgId?: string): void {
  const accepted = product.messagesFor(clientMsgId);
  expect(accepted, `WeChat accepted ${accepted.length} sends for ${clientMsgId}`).toHaveLength(1);
  if (msgId !== undefined) expect(String(accepted[0]!.msgId)).toBe(msgId);
}

async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function start(storeUrl?: string): Promise<FaultProduct> {
  const product = await startFaultProduct({ logs, storeUrl, wechatTimeoutMs: WECHAT_TIMEOUT_MS });
  products.push(product);
  return product;
}

afterAll(async () => {
  await Promise.all(products.map((p) => p.close()));
  for (const p of products) for (const t of p.recorder.tokens) tokens.add(t);
  const secrets = Object.assign(
    {},
    ...products.map((p, i) =>
      Object.fromEntries(Object.entries(p.secrets()).map(([k, v]) => [`${k} (product ${i + 1})`, v])),
    ),
    namedTokens(tokens),
  );
  const inLogs = findSecrets(logs.lines, secrets);
  const inAnswers = findSecrets(
    products.flatMap((p) => p.answers),
    secrets,
  );
  reportCounts('faults', {
    faultScenarios: scenarios,
    generatedInputs: 0,
    logLines: logs.lines.length,
    secretsFound: inLogs.length + inAnswers.length,
  });
  // The suite must have seen the tokens it claims to scan for.
  expect(tokens.size).toBeGreaterThan(0);
  expect(inLogs, 'secrets in log lines').toEqual([]);
  expect(inAnswers, 'secrets in API answers').toEqual([]);
});

describe('sends under WeChat faults, through the built bundles on the file store', () => {
  let product: FaultProduct;
  beforeAll(async () => {
    product = await start();
  });
  afterEach(() => {
    // A scenario that failed half way must not leave its faults to the next one.
    product.local.sandbox.clearFaults();
  });

  it('HTTP 500 before WeChat sent anything: 502 outcome_unknown, and the retry sends once', async () => {
    const clientMsgId = newClientMsgId('http500');
    product.local.sandbox.injectFault({ path: SENDALL, kind: 'http500' });

    const first = await product.call('POST', '/send-by-tag', byTag(clientMsgId));
    expectTold(first, 502, 'outcome_unknown', { clientMsgId });
    expect(product.messagesFor(clientMsgId)).toHaveLength(0);

    const retry = await product.call('POST', '/send-by-tag', byTag(clientMsgId));
    expectOneMessage(product, clientMsgId, expectSent(retry, clientMsgId));
    scenarios++;
  });

  it(
    'HTTP 500 after WeChat sent it: 502, 45066 while WeChat holds the id, ' + 'then the first msgId as a duplicate',
    async () => {
      const clientMsgId = newClientMsgId('http500-executed');
      product.local.sandbox.injectFault({ path: SENDALL, kind: 'http500', execute: true });

      const first = await product.call('POST', '/send-by-tag', byTag(clientMsgId));
      expectTold(first, 502, 'outcome_unknown', { clientMsgId });
      const tooSoon = await product.call('POST', '/send-by-tag', byTag(clientMsgId));
      expectTold(tooSoon, 429, 'clientmsgid_retry_too_fast', { errcode: 45066, clientMsgId, retryAfter: true });
      product.advanceClock(PAST_RETRY_WINDOW_MS);
      const later = await product.call('POST', '/send-by-tag', byTag(clientMsgId));

      const accepted = product.messagesFor(clientMsgId);
      expect(accepted).toHaveLength(1);
      expect(expectSent(later, clientMsgId, true)).toBe(String(accepted[0]!.msgId));
      scenarios++;
    },
  );

  it(
    'a timeout after WeChat accepted the send: 504 outcome_unknown, ' + 'the retry reports that msgId as a duplicate',
    async () => {
      const clientMsgId = newClientMsgId('timeout');
      product.local.sandbox.injectFault({ path: SEND, kind: 'timeout', delayMs: 10_000 });

      const first = await product.call('POST', '/send-by-list', byList(clientMsgId));
      expectTold(first, 504, 'outcome_unknown', { clientMsgId });
      expect(product.messagesFor(clientMsgId)).toHaveLength(1);
      product.advanceClock(PAST_RETRY_WINDOW_MS);
      const retry = await product.call('POST', '/send-by-list', byList(clientMsgId));

      expectOneMessage(product, clientMsgId, expectSent(retry, clientMsgId, true));
      scenarios++;
    },
  );

  it('a timeout before WeChat got the send: 504 outcome_unknown, and the retry sends once', async () => {
    const clientMsgId = newClientMsgId('timeout-dropped');
    product.local.sandbox.injectFault({ path: SENDALL, kind: 'timeout', delayMs: 10_000, execute: false });

    const first = await product.call('POST', '/send-by-tag', byTag(clientMsgId));
    expectTold(first, 504, 'outcome_unknown', { clientMsgId });
    expect(product.messagesFor(clientMsgId)).toHaveLength(0);
    const retry = await product.call('POST', '/send-by-tag', byTag(clientMsgId));

    expectOneMessage(product, clientMsgId, expectSent(retry, clientMsgId));
    scenarios++;
  });

  it('errcode -1 (system busy): 503 wechat_busy with Retry-After, and the retry sends once', async () => {
    const clientMsgId = newClientMsgId('busy');
    product.local.sandbox.injectFault({ path: SENDALL, kind: 'errcode', errcode: -1 });

    const first = await product.call('POST', '/send-by-tag', byTag(clientMsgId));
    expectTold(first, 503, 'wechat_busy', { errcode: -1, clientMsgId, retryAfter: true });
    expect(product.messagesFor(clientMsgId)).toHaveLength(0);
    const retry = await product.call('POST', '/send-by-tag', byTag(clientMsgId));

    expectOneMessage(product, clientMsgId, expectSent(retry, clientMsgId));
    scenarios++;
  });

  it('errcode 45011 (60 a minute): 429 rate_limited with Retry-After, and the retry sends once', async () => {
    const clientMsgId = newClientMsgId('rate');
    product.local.sandbox.injectFault({ path: SEND, kind: 'errcode', errcode: 45011 });

    const first = await product.call('POST', '/send-by-list', byList(clientMsgId));
    expectTold(first, 429, 'rate_limited', { errcode: 45011, clientMsgId, retryAfter: true });
    expect(product.messagesFor(clientMsgId)).toHaveLength(0);
    const retry = await product.call('POST', '/send-by-list', byList(clientMsgId));

    expectOneMessage(product, clientMsgId, expectSent(retry, clientMsgId));
    scenarios++;
  });

  it(
    'errcode 45065 (WeChat sent this clientmsgid before): 200, the earlier msgId, duplicate, ' + 'nothing new sent',
    async () => {
      const earlierId = newClientMsgId('earlier');
      const earlier = expectSent(await product.call('POST', '/send-by-tag', byTag(earlierId)), earlierId);
      const clientMsgId = newClientMsgId('dup');
      const before = product.local.sandbox.messages().length;
      product.local.sandbox.injectFault({ path: SENDALL, kind: 'errcode', errcode: 45065, msgId: Number(earlier) });

      const answer = await product.call('POST', '/send-by-tag', byTag(clientMsgId));
      expect(expectSent(answer, clientMsgId, true)).toBe(earlier);
      expect(product.local.sandbox.messages()).toHaveLength(before);
      // Remembered: asked again, the product answers from its store without calling WeChat.
      const calls = product.local.sandbox.calls().length;
      expect(expectSent(await product.call('POST', '/send-by-tag', byTag(clientMsgId)), clientMsgId, true)).toBe(
        earlier,
      );
      expect(product.local.sandbox.calls()).toHaveLength(calls);
      scenarios++;
    },
  );

  it(
    'errcode 45066 (retried too fast): 429 with Retry-After and no field to blame; ' + 'the later retry sends once',
    async () => {
      const clientMsgId = newClientMsgId('too-fast');
      product.local.sandbox.injectFault({ path: SENDALL, kind: 'errcode', errcode: 45066 });

      const first = await product.call('POST', '/send-by-tag', byTag(clientMsgId));
      expectTold(first, 429, 'clientmsgid_retry_too_fast', { errcode: 45066, clientMsgId, retryAfter: true });
      expect(first.body.error.fields).toBeUndefined();
      expect(product.messagesFor(clientMsgId)).toHaveLength(0);
      const retry = await product.call('POST', '/send-by-tag', byTag(clientMsgId));

      expectOneMessage(product, clientMsgId, expectSent(retry, clientMsgId));
      scenarios++;
    },
  );

  it(
    'a token rejected with 40001 while other sends are in flight: each send goes out once, ' + 'on a fresh token',
    async () => {
      const tagIds = Array.from({ length: 4 }, () => newClientMsgId('token-tag'));
      const listIds = Array.from({ length: 2 }, () => newClientMsgId('token-list'));
      // Two sends are held at WeChat (accepted, answer pending) while the third call's token is
      // rejected and revoked; the rest arrive with that token or after it.
      product.local.sandbox.injectFault({ path: SENDALL, kind: 'timeout', delayMs: 400, times: 2 });
      product.local.sandbox.injectFault({ path: SENDALL, kind: 'errcode', errcode: 40001 });
      product.local.sandbox.injectFault({ path: SEND, kind: 'timeout', delayMs: 400 });
      const callsBefore = product.local.sandbox.calls().length;

      const answers = await Promise.all([
        ...tagIds.map((id) => product.call('POST', '/send-by-tag', byTag(id)).then((a) => [id, a] as const)),
        ...listIds.map((id) => product.call('POST', '/send-by-list', byList(id)).then((a) => [id, a] as const)),
      ]);

      const msgIds = answers.map(([id, answer]) => {
        const msgId = expectSent(answer, id);
        expectOneMessage(product, id, msgId);
        return msgId;
      });
      expect(new Set(msgIds).size).toBe(6);
      const calls = product.local.sandbox.calls().slice(callsBefore);
      expect(calls.filter((c) => c.errcode === 40001).length).toBeGreaterThanOrEqual(1);
      expect(calls.filter((c) => c.path === '/cgi-bin/stable_token').length).toBeGreaterThanOrEqual(1);
      expect(product.local.sandbox.faults()).toEqual([]);
      scenarios++;
    },
  );

  it(
    'the same request again while the first is still at WeChat: 409 send_in_progress, ' +
      'then the first msgId from the store',
    async () => {
      const clientMsgId = newClientMsgId('racing');
      product.local.sandbox.injectFault({ path: SENDALL, kind: 'timeout', delayMs: 700 });

      const first = product.call('POST', '/send-by-tag', byTag(clientMsgId));
      await waitFor(
        () => product.messagesFor(clientMsgId).length === 1,
        WECHAT_TIMEOUT_MS,
        'WeChat to accept the send',
      );
      const racing = await product.call('POST', '/send-by-tag', byTag(clientMsgId));
      expectTold(racing, 409, 'send_in_progress', { clientMsgId, retryAfter: true });
      const msgId = expectSent(await first, clientMsgId);
      const again = await product.call('POST', '/send-by-tag', byTag(clientMsgId));

      expect(expectSent(again, clientMsgId, true)).toBe(msgId);
      expectOneMessage(product, clientMsgId, msgId);
      scenarios++;
    },
  );

  it('a token rejected, then the token endpoint failing: 502 wechat_token_unavailable with nothing sent, ' +
    'until a token comes back', async () => {
    const clientMsgId = newClientMsgId('token-down');
    product.local.sandbox.injectFault({ path: SENDALL, kind: 'errcode', errcode: 40001 });
    product.local.sandbox.injectFault({ path: '/cgi-bin/stable_token', kind: 'http500' });

    const first = await product.call('POST', '/send-by-tag', byTag(clientMsgId));
    expectTold(first, 502, 'wechat_token_unavailable', { clientMsgId });
    expect(first.body.error.message).toMatch(/token/);
    expect(product.messagesFor(clientMsgId)).toHaveLength(0);
    // A failed refresh is shared for a few seconds so that containers do not each repeat it:
    // retries meanwhile get the same answer and still send nothing.
    let retry = await product.call('POST', '/send-by-tag', byTag(clientMsgId));
    for (let i = 0; retry.status !== 200 && i < 20; i++) {
      expectTold(retry, 502, 'wechat_token_unavailable', { clientMsgId });
      expect(product.messagesFor(clientMsgId)).toHaveLength(0);
      await new Promise((r) => setTimeout(r, 500));
      retry = await product.call('POST', '/send-by-tag', byTag(clientMsgId));
    }

    expectOneMessage(product, clientMsgId, expectSent(retry, clientMsgId));
    scenarios++;
  }, 20_000);

  it('a push WeChat never sends: status answers SEND_SUCCESS from mass/get with report null', async () => {
    const clientMsgId = newClientMsgId('no-push');
    // A fault taken by a call WeChat then refuses for its token is spent on nothing: make sure
    // the send-by-list container holds a live token (an earlier scenario revoked one).
    const warmId = newClientMsgId('warm');
    expectSent(await product.call('POST', '/send-by-list', byList(warmId)), warmId);
    product.local.sandbox.injectFault({ path: SEND, kind: 'dropPush' });
    const msgId = expectSent(await product.call('POST', '/send-by-list', byList(clientMsgId)), clientMsgId);

    product.local.sandbox.finishJobs();
    await product.local.sandbox.waitForPushes();
    const status = await product.call('GET', `/status?msgId=${msgId}`);

    expect(status.status, JSON.stringify(status.body)).toBe(200);
    expect(status.body, JSON.stringify(status.body)).toEqual({
      msgId,
      status: 'SEND_SUCCESS',
      source: 'wechat',
      report: null,
    });
    expect(
      product.local.sandbox
        .pushes()
        .filter((p) => String(p.msgId) === msgId)
        .map((p) => p.outcome),
    ).toEqual(['dropped']);
    expectOneMessage(product, clientMsgId, msgId);
    scenarios++;
  });

  it('status while WeChat is busy (-1): 503 wechat_busy, and the next read answers', async () => {
    const clientMsgId = newClientMsgId('status-busy');
    const msgId = expectSent(await product.call('POST', '/send-by-tag', byTag(clientMsgId)), clientMsgId);
    product.local.sandbox.injectFault({ path: '/cgi-bin/message/mass/get', kind: 'errcode', errcode: -1 });

    expectTold(await product.call('GET', `/status?msgId=${msgId}`), 503, 'wechat_busy', {
      errcode: -1,
      retryAfter: true,
    });
    const again = await product.call('GET', `/status?msgId=${msgId}`);

    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ msgId, status: 'SENDING' });
    scenarios++;
  });

  it(
    'the send-by-tag process killed right after WeChat accepted: 502, 409 while the claim lives, ' +
      'then the first msgId, never a second send',
    async () => {
      const clientMsgId = newClientMsgId('killed');
      const container = product.local.gateway.containers.get('send-by-tag')!;
      const sendalls = () => product.local.sandbox.calls().filter((c) => c.path === SENDALL).length;
      const atStart = sendalls();
      product.local.sandbox.injectFault({ path: SENDALL, kind: 'timeout', delayMs: 10_000 });

      const pending = product.call('POST', '/send-by-tag', byTag(clientMsgId));
      await waitFor(
        () => product.messagesFor(clientMsgId).length === 1,
        WECHAT_TIMEOUT_MS - 200,
        'WeChat to accept the send',
      );
      await container.stop();
      const killed = await pending;
      expectTold(killed, 502, 'function_failed');

      // The sandbox records the held call when its connection closes, a moment after the kill.
      await waitFor(() => sendalls() === atStart + 1, 2_000, 'the sandbox to record the held call');
      // Cold start; the dead process's claim still stands, so nothing reaches WeChat.
      const before = sendalls();
      const whileClaimed = await product.call('POST', '/send-by-tag', byTag(clientMsgId));
      expectTold(whileClaimed, 409, 'send_in_progress', { clientMsgId, retryAfter: true });
      expect(sendalls()).toBe(before);

      await product.expireSendMarker(clientMsgId);
      product.advanceClock(PAST_RETRY_WINDOW_MS);
      const retry = await product.call('POST', '/send-by-tag', byTag(clientMsgId));

      const accepted = product.messagesFor(clientMsgId);
      expect(accepted).toHaveLength(1);
      expect(expectSent(retry, clientMsgId, true)).toBe(String(accepted[0]!.msgId));
      scenarios++;
    },
  );

  it("the callback's answer delayed past WeChat's 5 s: WeChat redelivers, one report is stored, " +
    'status shows it', async () => {
    const { sandbox, env, gateway } = product.local;
    // Flush every earlier job first, so only this scenario's pushes pass the slow proxy.
    sandbox.finishJobs();
    await sandbox.waitForPushes();
    const firstLine = logs.lines.length;
    const slow = await startSlowCallback({
      target: `${gateway.url}/callback`,
      holdMs: 5_300,
      aesKey: env.WECHAT_ENCODING_AES_KEY!,
      appId: env.WECHAT_APP_ID!,
    });
    sandbox.setCallback({
      url: slow.url,
      token: env.WECHAT_TOKEN!,
      encodingAesKey: env.WECHAT_ENCODING_AES_KEY!,
      mode: 'safe',
    });
    try {
      const lateAnswerId = newClientMsgId('late-answer');
      const lateDeliveryId = newClientMsgId('late-delivery');
      const lateAnswer = expectSent(await product.call('POST', '/send-by-tag', byTag(lateAnswerId)), lateAnswerId);
      const lateDelivery = expectSent(
        await product.call('POST', '/send-by-list', byList(lateDeliveryId)),
        lateDeliveryId,
      );
      slow.slow(lateAnswer, 'late-answer');
      slow.slow(lateDelivery, 'late-delivery');

      sandbox.finishJobs();
      await sandbox.waitForPushes();
      await slow.settled();

      // Function logs travel by stdout, apart from the answers: wait until both deliveries are logged.
      // A redelivery that repeats the signed request is caught by the replay cache before the
      // body is read (its log line names no MsgID); a re-signed one is caught by the MsgID.
      const logged = (msgId: string, what: string) =>
        logs.lines.slice(firstLine).filter((l) => l.includes(msgId) && l.includes(what));
      const secondDeliveries = () =>
        logs.lines.slice(firstLine).filter((l) => l.includes('callback replay ignored')).length +
        [lateAnswer, lateDelivery].reduce((n, id) => n + logged(id, 'mass send report redelivered').length, 0);
      await waitFor(
        () =>
          [lateAnswer, lateDelivery].every((id) => logged(id, 'mass send report recorded').length >= 1) &&
          secondDeliveries() >= 2,
        3_000,
        'the callback to log both deliveries',
      );
      expect(secondDeliveries(), 'second deliveries acknowledged without storing again').toBe(2);
      for (const msgId of [lateAnswer, lateDelivery]) {
        const pushes = sandbox.pushes().filter((p) => String(p.msgId) === msgId);
        expect(pushes.map((p) => p.outcome)).toEqual(['timeout', 'delivered']);
        expect(slow.attempts(msgId)).toBe(2);
        expect(logged(msgId, 'mass send report recorded'), `reports stored for ${msgId}`).toHaveLength(1);
        const status = await product.call('GET', `/status?msgId=${msgId}`);
        expect(status.status).toBe(200);
        expect(status.body).toMatchObject({
          msgId,
          status: 'SEND_SUCCESS',
          report: { msgId, status: { kind: 'success' }, counts: { sent: expect.any(Number) } },
        });
      }
      expectOneMessage(product, lateAnswerId, lateAnswer);
      expectOneMessage(product, lateDeliveryId, lateDelivery);
    } finally {
      sandbox.setCallback({
        url: `${gateway.url}/callback`,
        token: env.WECHAT_TOKEN!,
        encodingAesKey: env.WECHAT_ENCODING_AES_KEY!,
        mode: 'safe',
      });
      await slow.close();
    }
    scenarios++;
  }, 20_000);
});

describe.skipIf(!hasRedisServer)(redisSuiteTitle('sends on the Redis store'), () => {
  let redis: RedisServer;
  let product: FaultProduct;
  beforeAll(async () => {
    // A password with every character a URL treats specially: STORE_URL carries it
    // percent-encoded, and the secrets scan looks for it in both spellings.
    redis = await startRedisServer({ password: 'r3dis#pw/with?special@chars:%' });
    product = await start(redis.url);
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('Redis stops answering (paused) during a send: 503 store_unavailable within seconds, nothing sent, ' +
    'and the retry after it resumes sends once', async () => {
    const clientMsgId = newClientMsgId('redis-paused');
    // Warm: the functions hold an open connection when the server stalls.
    const warmId = newClientMsgId('before-pause');
    expectSent(await product.call('POST', '/send-by-tag', byTag(warmId)), warmId);
    redis.pause();
    let stalled: Answer;
    try {
      stalled = await product.call('POST', '/send-by-tag', byTag(clientMsgId));
    } finally {
      redis.resume();
    }

    expect(stalled.status, JSON.stringify(stalled.body)).toBe(503);
    expect(stalled.body?.error?.code).toBe('store_unavailable');
    expect(product.messagesFor(clientMsgId)).toHaveLength(0);
    const retry = await product.call('POST', '/send-by-tag', byTag(clientMsgId));
    expectOneMessage(product, clientMsgId, expectSent(retry, clientMsgId));
    scenarios++;
  }, 20_000);

  it(
    'Redis restarted between two sends (its data gone): the next send goes out, ' +
      'and a retry of the first is a duplicate, not a second send',
    async () => {
      const firstId = newClientMsgId('before-restart');
      const first = expectSent(await product.call('POST', '/send-by-tag', byTag(firstId)), firstId);

      await redis.restart();
      const secondId = newClientMsgId('after-restart');
      const second = await product.call('POST', '/send-by-list', byList(secondId));
      expectOneMessage(product, secondId, expectSent(second, secondId));

      // The store forgot the first send; WeChat did not.
      const tooSoon = await product.call('POST', '/send-by-tag', byTag(firstId));
      expectTold(tooSoon, 429, 'clientmsgid_retry_too_fast', {
        errcode: 45066,
        clientMsgId: firstId,
        retryAfter: true,
      });
      product.advanceClock(PAST_RETRY_WINDOW_MS);
      const retry = await product.call('POST', '/send-by-tag', byTag(firstId));
      expect(expectSent(retry, firstId, true)).toBe(first);
      expectOneMessage(product, firstId, first);
      scenarios++;
    },
  );

  it('Redis down during a send: 503 store_unavailable, nothing sent; the retry once it is up sends once', async () => {
    const clientMsgId = newClientMsgId('redis-down');
    await redis.stop();
    let down: Answer;
    try {
      down = await product.call('POST', '/send-by-tag', byTag(clientMsgId));
    } finally {
      await redis.restart();
    }

    expect(down.status, JSON.stringify(down.body)).toBe(503);
    expect(down.body?.error?.code).toBe('store_unavailable');
    expect(down.headers.get('retry-after')).toBe('5');
    expect(down.body.error.requestId).toMatch(/\S/);
    expect(product.messagesFor(clientMsgId)).toHaveLength(0);
    const retry = await product.call('POST', '/send-by-tag', byTag(clientMsgId));
    expectOneMessage(product, clientMsgId, expectSent(retry, clientMsgId));
    scenarios++;
  }, 20_000);

  it('Redis restarted between a send and its push: the push is recorded once and status shows it', async () => {
    const clientMsgId = newClientMsgId('report-restart');
    const msgId = expectSent(await product.call('POST', '/send-by-tag', byTag(clientMsgId)), clientMsgId);
    await redis.restart();

    product.local.sandbox.finishJobs();
    await product.local.sandbox.waitForPushes();
    const status = await product.call('GET', `/status?msgId=${msgId}`);

    expect(status.status, JSON.stringify(status.body)).toBe(200);
    expect(status.body).toMatchObject({
      msgId,
      status: 'SEND_SUCCESS',
      report: { msgId, counts: { sent: expect.any(Number) } },
    });
    const pushes = product.local.sandbox.pushes().filter((p) => String(p.msgId) === msgId);
    expect(pushes.at(-1)?.outcome).toBe('delivered');
    expectOneMessage(product, clientMsgId, msgId);
    scenarios++;
  });
});
