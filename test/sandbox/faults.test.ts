import { describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS } from '../../sandbox/accounts';
import type { TestSandbox } from './helpers';
import { GET_STATUS, SENDALL, postJson, textToTag, useSandboxPerTest } from './helpers';

const service = DEMO_ACCOUNTS.service;
let t: TestSandbox;
let token: string;

useSandboxPerTest(service, (ready) => ({ t, token } = ready));

function sendallUrl(): string {
  return `${t.sandbox.url}${SENDALL}?access_token=${token}`;
}

describe('fault injection', () => {
  it('answers HTTP 500 to the next call only and does not execute it', async () => {
    await postJson(`${t.sandbox.url}/__sandbox/faults`, { path: SENDALL, kind: 'http500' });
    expect((await postJson(sendallUrl(), textToTag(100, 'a'))).status).toBe(500);
    expect(t.sandbox.messages()).toHaveLength(0);
    expect((await postJson(sendallUrl(), textToTag(100, 'a'))).json.errcode).toBe(0);
  });

  it('answers an injected errcode as many times as asked', async () => {
    t.sandbox.injectFault({ path: SENDALL, kind: 'errcode', errcode: -1, times: 2 });
    expect((await t.call(token, SENDALL, textToTag(100, 'a'))).errcode).toBe(-1);
    expect((await t.call(token, SENDALL, textToTag(100, 'a'))).errcode).toBe(-1);
    expect((await t.call(token, SENDALL, textToTag(100, 'a'))).errcode).toBe(0);
  });

  it('really invalidates the token when it injects 40001', async () => {
    t.sandbox.injectFault({ path: SENDALL, kind: 'errcode', errcode: 40001 });
    expect((await t.call(token, SENDALL, textToTag(100, 'a'))).errcode).toBe(40001);
    expect((await t.call(token, GET_STATUS, { msg_id: 1 })).errcode).toBe(40001);
  });

  it('carries the latest msg_id with an injected 45065', async () => {
    const first = await t.call(token, SENDALL, textToTag(100, 'a'));
    t.sandbox.injectFault({ path: SENDALL, kind: 'errcode', errcode: 45065 });
    expect(await t.call(token, SENDALL, textToTag(100, 'b'))).toMatchObject({ errcode: 45065, msg_id: first.msg_id });
  });

  it('executes a send whose answer times out, so a retry with the same clientmsgid meets 45066', async () => {
    t.sandbox.injectFault({ path: SENDALL, kind: 'timeout', delayMs: 5000 });
    const lost = fetch(sendallUrl(), {
      method: 'POST',
      body: JSON.stringify(textToTag(100, 'a', 'job-1')),
      signal: AbortSignal.timeout(1000),
    });
    await expect(lost).rejects.toThrow();
    expect(t.sandbox.messages()).toHaveLength(1);
    expect((await t.call(token, SENDALL, textToTag(100, 'a', 'job-1'))).errcode).toBe(45066);
  });

  it('answers a held call after delayMs when the client waits', async () => {
    t.sandbox.injectFault({ path: GET_STATUS, kind: 'timeout', delayMs: 50 });
    expect((await t.call(token, GET_STATUS, { msg_id: 1 })).errcode).toBe(40059);
  });

  it('ends a job with an injected status and SEND_FAIL', async () => {
    t.sandbox.injectFault({ path: SENDALL, kind: 'jobStatus', status: 'err(30003)' });
    const { msg_id: msgId } = await t.call(token, SENDALL, textToTag(100, 'a'));
    t.sandbox.finishJobs();
    expect((await t.call(token, GET_STATUS, { msg_id: msgId })).msg_status).toBe('SEND_FAIL');
    await t.sandbox.waitForPushes();
    expect(t.sandbox.pushes()[0]?.xml).toContain('<Status><![CDATA[err(30003)]]></Status>');
  });

  it('drops a push when asked, leaving mass/get as the only news', async () => {
    t.sandbox.injectFault({ path: SENDALL, kind: 'dropPush' });
    await t.call(token, SENDALL, textToTag(100, 'a'));
    t.sandbox.finishJobs();
    await t.sandbox.waitForPushes();
    expect(t.sandbox.pushes().map((p) => p.outcome)).toEqual(['dropped']);
  });

  it('forgets every fault on DELETE /__sandbox/faults', async () => {
    t.sandbox.injectFault({ path: '*', kind: 'errcode', errcode: -1, times: 5 });
    await fetch(`${t.sandbox.url}/__sandbox/faults`, { method: 'DELETE' });
    expect((await t.call(token, SENDALL, textToTag(100, 'a'))).errcode).toBe(0);
  });

  it('rejects a fault without an errcode for kind errcode with HTTP 400', async () => {
    expect((await postJson(`${t.sandbox.url}/__sandbox/faults`, { path: SENDALL, kind: 'errcode' })).status).toBe(400);
  });
});
