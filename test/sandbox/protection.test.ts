import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS } from '../../sandbox/accounts';
import type { CallbackReceiver } from './callback-receiver';
import { startCallbackReceiver } from './callback-receiver';
import type { TestSandbox } from './helpers';
import { GET_STATUS, postJson, SENDALL, startTestSandbox, textToTag } from './helpers';

const service = DEMO_ACCOUNTS.service;
let t: TestSandbox;
let receiver: CallbackReceiver;
let token: string;

beforeEach(async () => {
  receiver = await startCallbackReceiver();
  t = await startTestSandbox({ protectedAppids: [service.appid] });
  t.sandbox.setCallback({ url: receiver.url, token: 'callback-token' });
  token = await t.tokenFor(service);
});
afterEach(async () => {
  await t.sandbox.close();
  await receiver.close();
});

function toAll(clientmsgid: string): Record<string, unknown> {
  return { filter: { is_to_all: true }, msgtype: 'text', text: { content: 'To everyone' }, clientmsgid };
}

function pushedStatus(): string | undefined {
  const xml = receiver.received.at(-1)?.body ?? '';
  return /<Status><!\[CDATA\[(.*?)\]\]><\/Status>/.exec(xml)?.[1];
}

describe('API mass-send protection', () => {
  it('holds a send to all with 89504 and no msg_id, and a repeat of its clientmsgid with 89505', async () => {
    const first = await t.call(token, SENDALL, toAll('weekly-1'));
    const again = await t.call(token, SENDALL, toAll('weekly-1'));

    expect(first.errcode).toBe(89504);
    expect(first.msg_id).toBeUndefined();
    expect(again.errcode).toBe(89505);
    const awaiting = t.sandbox.awaitingConfirmation();
    expect(awaiting).toHaveLength(1);
    expect(awaiting[0]).toMatchObject({ appid: service.appid, clientMsgId: 'weekly-1' });
    const status = await t.call(token, GET_STATUS, { msg_id: awaiting[0]!.msgId });
    expect(status.msg_status).toBe('SENDING');
  });

  it('does not hold a send by tag, nor a send to all on an account without protection', async () => {
    expect((await t.call(token, SENDALL, textToTag(100, 'Tag only', 'tag-1'))).errcode).toBe(0);
    t.sandbox.setProtection(false, service.appid);
    expect((await t.call(token, SENDALL, toAll('all-1'))).errcode).toBe(0);
  });

  it('sends once confirmed; the clientmsgid then answers 45065 with the msg_id', async () => {
    await t.call(token, SENDALL, toAll('weekly-2'));
    t.sandbox.advanceClock(2 * 60_000);
    const decided = t.sandbox.decide({ clientMsgId: 'weekly-2' });
    t.sandbox.finishJobs();
    await t.sandbox.waitForPushes();

    const retry = await t.call(token, SENDALL, toAll('weekly-2'));
    expect(retry).toMatchObject({ errcode: 45065, msg_id: decided?.msgId });
    expect(pushedStatus()).toBe('send success');
    expect((await t.call(token, GET_STATUS, { msg_id: decided?.msgId })).msg_status).toBe('SEND_SUCCESS');
  });

  it('ends a rejected send with err(40001) in MASSSENDJOBFINISH and SEND_FAIL', async () => {
    await t.call(token, SENDALL, toAll('weekly-3'));
    const [held] = t.sandbox.awaitingConfirmation();
    const answer = await postJson(`${t.sandbox.url}/__sandbox/confirmations`, {
      msgId: held?.msgId,
      decision: 'reject',
    });
    await t.sandbox.waitForPushes();

    expect(answer.status).toBe(200);
    expect(pushedStatus()).toBe('err(40001)');
    expect(receiver.received.at(-1)?.body).toContain('<SentCount>0</SentCount>');
    expect((await t.call(token, GET_STATUS, { msg_id: held?.msgId })).msg_status).toBe('SEND_FAIL');
  });

  it('ends a send nobody confirmed within 30 minutes with err(40002)', async () => {
    await t.call(token, SENDALL, toAll('weekly-4'));
    const [held] = t.sandbox.awaitingConfirmation();
    t.sandbox.finishJobs();
    expect(t.sandbox.awaitingConfirmation()).toHaveLength(1);

    t.sandbox.advanceClock(30 * 60_000);
    await t.sandbox.waitForPushes();

    expect(t.sandbox.awaitingConfirmation()).toHaveLength(0);
    expect(pushedStatus()).toBe('err(40002)');
    expect((await t.call(token, GET_STATUS, { msg_id: held?.msgId })).msg_status).toBe('SEND_FAIL');
  });

  it('steers protection and decisions through /__sandbox routes, 404 for a send that does not wait', async () => {
    const off = await postJson(`${t.sandbox.url}/__sandbox/protection`, { on: false });
    const unknown = await postJson(`${t.sandbox.url}/__sandbox/confirmations`, { clientMsgId: 'nothing-waits' });
    const bad = await postJson(`${t.sandbox.url}/__sandbox/confirmations`, { decision: 'maybe' });

    expect(off).toEqual({ status: 200, json: { protectedAppids: [] } });
    expect(unknown.status).toBe(404);
    expect(bad.status).toBe(400);
    expect(t.sandbox.state().accounts.every((a) => !a.massSendProtection)).toBe(true);
  });
});
