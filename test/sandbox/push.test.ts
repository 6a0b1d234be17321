import { createDecipheriv, createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS } from '../../sandbox/accounts';
import type { CallbackReceiver } from './callback-receiver';
import { startCallbackReceiver } from './callback-receiver';
import type { TestSandbox } from './helpers';
import { SEND, SENDALL, startTestSandbox, textToTag } from './helpers';

const service = DEMO_ACCOUNTS.service;
const CALLBACK_TOKEN = 'callback-token-for-tests';
const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
let t: TestSandbox;
let receiver: CallbackReceiver;
let token: string;

beforeEach(async () => {
  receiver = await startCallbackReceiver();
  t = await startTestSandbox({ pushTimeoutMs: 150 });
  token = await t.tokenFor(service);
});
afterEach(async () => {
  await t.sandbox.close();
  await receiver.close();
});

// Written from WeChat's description, independently of the sandbox's code.
function sha1Sorted(parts: string[]): string {
  return createHash('sha1')
    .update([...parts].sort().join(''))
    .digest('hex');
}

function tag(xml: string, name: string): string | undefined {
  const match = new RegExp(`<${name}>(?:<!\\[CDATA\\[([\\s\\S]*?)\\]\\]>|([^<]*))</${name}>`).exec(xml);
  return match ? (match[1] ?? match[2]) : undefined;
}

function decrypt(encrypt: string): { xml: string; appid: string } {
  const key = Buffer.from(`${AES_KEY}=`, 'base64');
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
  decipher.setAutoPadding(false);
  const padded = Buffer.concat([decipher.update(Buffer.from(encrypt, 'base64')), decipher.final()]);
  const pad = padded[padded.length - 1] ?? 0;
  expect(pad).toBeGreaterThanOrEqual(1);
  expect(pad).toBeLessThanOrEqual(32);
  const plain = padded.subarray(0, padded.length - pad);
  const length = plain.readUInt32BE(16);
  return { xml: plain.subarray(20, 20 + length).toString('utf8'), appid: plain.subarray(20 + length).toString('utf8') };
}

async function sendAndFinish(body: Record<string, unknown>): Promise<number> {
  const reply = await t.call(token, SENDALL, body);
  expect(reply.errcode).toBe(0);
  t.sandbox.finishJobs();
  await t.sandbox.waitForPushes();
  return reply.msg_id as number;
}

describe('the MASSSENDJOBFINISH push', () => {
  it('arrives in plain mode with a valid signature and the job counts', async () => {
    t.sandbox.setCallback({ url: receiver.url, token: CALLBACK_TOKEN });
    const msgId = await sendAndFinish(textToTag(100, 'hello'));

    expect(receiver.received).toHaveLength(1);
    const [push] = receiver.received;
    const q = push!.query;
    expect(q.get('signature')).toBe(sha1Sorted([CALLBACK_TOKEN, q.get('timestamp')!, q.get('nonce')!]));
    expect(q.get('encrypt_type')).toBeNull();
    const xml = push!.body;
    expect(tag(xml, 'ToUserName')).toBe(service.ghId);
    expect(tag(xml, 'MsgType')).toBe('event');
    expect(tag(xml, 'Event')).toBe('MASSSENDJOBFINISH');
    expect(tag(xml, 'MsgID')).toBe(String(msgId));
    expect(tag(xml, 'Status')).toBe('send success');
    expect([tag(xml, 'TotalCount'), tag(xml, 'FilterCount'), tag(xml, 'SentCount'), tag(xml, 'ErrorCount')]).toEqual([
      '10',
      '10',
      '10',
      '0',
    ]);
  });

  it('arrives in safe mode encrypted, with msg_signature over the Encrypt field and our appid inside', async () => {
    t.sandbox.setCallback({ url: receiver.url, token: CALLBACK_TOKEN, encodingAesKey: AES_KEY, mode: 'safe' });
    const msgId = await sendAndFinish({
      filter: { is_to_all: true },
      msgtype: 'mpnews',
      mpnews: { media_id: service.media.news },
    });

    const [push] = receiver.received;
    const q = push!.query;
    const encrypt = tag(push!.body, 'Encrypt')!;
    expect(tag(push!.body, 'ToUserName')).toBe(service.ghId);
    expect(tag(push!.body, 'MsgID')).toBeUndefined();
    expect(q.get('encrypt_type')).toBe('aes');
    expect(q.get('msg_signature')).toBe(sha1Sorted([CALLBACK_TOKEN, q.get('timestamp')!, q.get('nonce')!, encrypt]));
    expect(q.get('signature')).toBe(sha1Sorted([CALLBACK_TOKEN, q.get('timestamp')!, q.get('nonce')!]));

    const { xml, appid } = decrypt(encrypt);
    expect(appid).toBe(service.appid);
    expect(tag(xml, 'MsgID')).toBe(String(msgId));
    expect(tag(xml, 'TotalCount')).toBe('50');
    expect(xml).toContain('<CopyrightCheckResult><Count>2</Count>');
    expect(xml).toContain('<CheckState>1</CheckState>');
    expect(xml).toMatch(
      new RegExp(
        '<ArticleUrlResult><Count>2</Count><ResultList><item><ArticleIdx>1</ArticleIdx>' +
          '<ArticleUrl><!\\[CDATA\\[https://mp\\.weixin\\.qq\\.com/s\\?',
      ),
    );
  });

  it('carries both the plaintext fields and Encrypt in compat mode', async () => {
    t.sandbox.setCallback({ url: receiver.url, token: CALLBACK_TOKEN, encodingAesKey: AES_KEY, mode: 'compat' });
    const msgId = await sendAndFinish(textToTag(101, 'compat'));
    const body = receiver.received[0]!.body;
    expect(tag(body, 'MsgID')).toBe(String(msgId));
    expect(tag(decrypt(tag(body, 'Encrypt')!).xml, 'MsgID')).toBe(String(msgId));
  });

  it('shows filtered followers of a fifth monthly send in ErrorCount', async () => {
    t.sandbox.setCallback({ url: receiver.url, token: CALLBACK_TOKEN });
    const pair = service.followers.slice(40, 42);
    for (let i = 0; i < 5; i += 1)
      await t.call(token, SEND, { touser: pair, msgtype: 'text', text: { content: `m${i}` } });
    t.sandbox.finishJobs();
    await t.sandbox.waitForPushes();
    const last = receiver.received
      .map((r) => r.body)
      .find((xml) => tag(xml, 'MsgID') === String(t.sandbox.messages().at(-1)?.msgId));
    expect([tag(last!, 'FilterCount'), tag(last!, 'SentCount'), tag(last!, 'ErrorCount')]).toEqual(['2', '0', '2']);
  });

  it('is retried when the callback answers later than the timeout, three attempts in all', async () => {
    receiver.delayFor = () => 400;
    t.sandbox.setCallback({ url: receiver.url, token: CALLBACK_TOKEN });
    const msgId = await sendAndFinish(textToTag(100, 'slow'));
    expect(receiver.received).toHaveLength(3);
    expect(t.sandbox.pushes().map((p) => [p.msgId, p.attempt, p.outcome])).toEqual([
      [msgId, 1, 'timeout'],
      [msgId, 2, 'timeout'],
      [msgId, 3, 'timeout'],
    ]);
  });

  it('stops retrying once the callback answers in time', async () => {
    receiver.delayFor = (n) => (n === 0 ? 400 : 0);
    receiver.statusFor = (n) => (n === 1 ? 500 : 200);
    t.sandbox.setCallback({ url: receiver.url, token: CALLBACK_TOKEN });
    await sendAndFinish(textToTag(100, 'flaky'));
    expect(t.sandbox.pushes().map((p) => p.outcome)).toEqual(['timeout', 'http-error', 'delivered']);
  });

  it('is pushed by the timer when the job duration passes in real time', async () => {
    await t.sandbox.close();
    t = await startTestSandbox({
      now: Date.now,
      jobDurationMs: 30,
      callback: { url: receiver.url, token: CALLBACK_TOKEN },
    });
    token = await t.tokenFor(service);
    await t.call(token, SENDALL, textToTag(100, 'timer'));
    await expect.poll(() => receiver.received.length, { timeout: 2000 }).toBe(1);
  });

  it('is recorded as no-callback when none is configured', async () => {
    await sendAndFinish(textToTag(100, 'nobody listens'));
    expect(t.sandbox.pushes()[0]?.outcome).toBe('no-callback');
  });
});
