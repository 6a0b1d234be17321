import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS } from '../../sandbox/accounts';
import type { TestSandbox } from './helpers';
import { GET_STATUS, SENDALL, getJson, postJson, startTestSandbox, textToTag } from './helpers';

const service = DEMO_ACCOUNTS.service;
const CALLBACK_TOKEN = 'callback-token-never-logged';
const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
let t: TestSandbox;

beforeEach(async () => {
  t = await startTestSandbox();
});
afterEach(async () => {
  await t.sandbox.close();
});

describe('the demo seed', () => {
  it('has 28-character OpenIDs and the same ones on every start', async () => {
    const state = await getJson(`${t.sandbox.url}/__sandbox/state`);
    const account = state.accounts.find((a: { appid: string }) => a.appid === service.appid);
    expect(account.followers).toEqual(service.followers);
    for (const openid of service.followers) expect(openid).toMatch(/^o[A-Za-z0-9_-]{27}$/);
    expect(account.tags.map((tag: { id: number }) => tag.id)).toEqual([100, 101]);
  });
});

describe('/__sandbox routes', () => {
  it('records calls without secrets or tokens, and logs one line per call', async () => {
    const token = await t.tokenFor(service);
    await postJson(`${t.sandbox.url}/__sandbox/callback`, {
      url: 'http://127.0.0.1:9/cb',
      token: CALLBACK_TOKEN,
      encodingAesKey: AES_KEY,
      mode: 'safe',
    });
    await t.call(token, SENDALL, textToTag(100, 'hi'));
    const calls = JSON.stringify(await getJson(`${t.sandbox.url}/__sandbox/calls`));
    const state = JSON.stringify(await getJson(`${t.sandbox.url}/__sandbox/state`));
    for (const secret of [service.secret, token, CALLBACK_TOKEN, AES_KEY]) {
      expect(calls).not.toContain(secret);
      expect(state).not.toContain(secret);
      expect(t.lines.join('\n')).not.toContain(secret);
    }
    expect(t.lines).toContain('POST /cgi-bin/message/mass/sendall wx5a…ice1 → 0 msg_id=3147483649');
  });

  it('lists accepted sends under /messages', async () => {
    const token = await t.tokenFor(service);
    await t.call(token, SENDALL, textToTag(101, 'beta news'));
    const { messages } = await getJson(`${t.sandbox.url}/__sandbox/messages`);
    expect(messages[0]).toMatchObject({
      msgId: 3147483649,
      audience: { type: 'tag', tagId: 101 },
      content: { msgtype: 'text', content: 'beta news' },
      status: 'SENDING',
    });
  });

  it('advances the clock so jobs finish', async () => {
    const token = await t.tokenFor(service);
    const { msg_id: msgId } = await t.call(token, SENDALL, textToTag(100, 'hi'));
    await postJson(`${t.sandbox.url}/__sandbox/clock`, { advanceMs: 1000 });
    expect((await t.call(token, GET_STATUS, { msg_id: msgId })).msg_status).toBe('SEND_SUCCESS');
  });

  it('finishes every SENDING job on POST /finish', async () => {
    const token = await t.tokenFor(service);
    const { msg_id: msgId } = await t.call(token, SENDALL, textToTag(100, 'hi'));
    const { json } = await postJson(`${t.sandbox.url}/__sandbox/finish`, { wait: true });
    expect(json.finished).toEqual([msgId]);
  });

  it('switches limits off at runtime', async () => {
    const { json } = await postJson(`${t.sandbox.url}/__sandbox/limits`, { perMinute: false, daily: false });
    expect(json.limits).toEqual({ perMinute: false, daily: false, monthly: true });
  });

  it('rejects a safe-mode callback without a valid EncodingAESKey with HTTP 400', async () => {
    const reply = await postJson(`${t.sandbox.url}/__sandbox/callback`, {
      url: 'http://127.0.0.1:9/cb',
      token: 'x',
      mode: 'safe',
      encodingAesKey: 'short',
    });
    expect(reply.status).toBe(400);
  });

  it('forgets tokens and sends on reset', async () => {
    const token = await t.tokenFor(service);
    await t.call(token, SENDALL, textToTag(100, 'hi'));
    await postJson(`${t.sandbox.url}/__sandbox/reset`, {});
    expect(t.sandbox.messages()).toEqual([]);
    expect((await t.call(token, GET_STATUS, { msg_id: 3147483649 })).errcode).toBe(40001);
  });

  it('answers HTTP 404 with the route list for an unknown sandbox route', async () => {
    const res = await fetch(`${t.sandbox.url}/__sandbox/nope`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { routes: string[] }).routes).toContain('GET /__sandbox/state');
  });
});
