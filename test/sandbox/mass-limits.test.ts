import { describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS } from '../../sandbox/accounts';
import type { TestSandbox } from './helpers';
import { SEND, SENDALL, textToTag, useSandboxPerTest } from './helpers';

const service = DEMO_ACCOUNTS.service;
const subscription = DEMO_ACCOUNTS.subscription;
let t: TestSandbox;
let token: string;

useSandboxPerTest(service, (ready) => ({ t, token } = ready));

describe('the 60-a-minute limit', () => {
  it('refuses the 61st mass send within a minute with 45011, and accepts again a minute later', async () => {
    for (let i = 0; i < 60; i += 1) expect((await t.call(token, SENDALL, textToTag(100, `n${i}`))).errcode).toBe(0);
    expect((await t.call(token, SENDALL, textToTag(100, 'n60'))).errcode).toBe(45011);
    t.sandbox.advanceClock(60_000);
    expect((await t.call(token, SENDALL, textToTag(100, 'n61'))).errcode).toBe(0);
  });

  it('is off when the perMinute limit is switched off', async () => {
    t.sandbox.setLimits({ perMinute: false });
    for (let i = 0; i < 61; i += 1) expect((await t.call(token, SENDALL, textToTag(100, `n${i}`))).errcode).toBe(0);
  });
});

describe('the subscription account', () => {
  it('sends by tag once a day, then answers 45028 until the next day', async () => {
    const subToken = await t.tokenFor(subscription);
    expect((await t.call(subToken, SENDALL, textToTag(100, 'one'))).errcode).toBe(0);
    expect(
      (await t.call(subToken, SENDALL, { filter: { is_to_all: true }, msgtype: 'text', text: { content: 'two' } }))
        .errcode,
    ).toBe(45028);
    t.sandbox.advanceClock(24 * 3_600_000);
    const nextDayToken = await t.tokenFor(subscription);
    expect((await t.call(nextDayToken, SENDALL, textToTag(100, 'three'))).errcode).toBe(0);
  });
});

describe('the service account', () => {
  it('refuses the 101st mass call of a day with 45009', async () => {
    t.sandbox.setLimits({ perMinute: false });
    for (let i = 0; i < 100; i += 1) await t.call(token, SENDALL, textToTag(101, `n${i}`));
    expect((await t.call(token, SENDALL, textToTag(101, 'n100'))).errcode).toBe(45009);
  });

  it('counts a fifth message to a follower in a month as an error for that follower', async () => {
    const pair = service.followers.slice(0, 2);
    for (let i = 0; i < 4; i += 1)
      await t.call(token, SEND, { touser: pair, msgtype: 'text', text: { content: `m${i}` } });
    await t.call(token, SEND, { touser: [...pair, service.followers[30]], msgtype: 'text', text: { content: 'm4' } });
    const fifth = t.sandbox.messages().at(-1);
    expect(fifth?.counts).toEqual({ total: 3, filter: 3, sent: 1, error: 2 });
  });
});

describe('clientmsgid', () => {
  it('answers 45066 to the same clientmsgid within a minute', async () => {
    await t.call(token, SENDALL, textToTag(100, 'a', 'campaign-1'));
    expect((await t.call(token, SENDALL, textToTag(100, 'b', 'campaign-1'))).errcode).toBe(45066);
  });

  it('answers 45065 with the existing msg_id to the same clientmsgid later that day', async () => {
    const first = await t.call(token, SENDALL, textToTag(100, 'a', 'campaign-1'));
    t.sandbox.advanceClock(61_000);
    const again = await t.call(token, SENDALL, textToTag(100, 'a', 'campaign-1'));
    expect(again).toMatchObject({ errcode: 45065, msg_id: first.msg_id });
  });

  it('forgets a clientmsgid after 24 hours', async () => {
    await t.call(token, SENDALL, textToTag(100, 'a', 'campaign-1'));
    t.sandbox.advanceClock(24 * 3_600_000);
    const fresh = await t.tokenFor(service);
    expect((await t.call(fresh, SENDALL, textToTag(100, 'a', 'campaign-1'))).errcode).toBe(0);
  });

  it('blocks an identical send without clientmsgid, as WeChat derives one from audience and content', async () => {
    await t.call(token, SENDALL, textToTag(100, 'same'));
    t.sandbox.advanceClock(61_000);
    expect((await t.call(token, SENDALL, textToTag(100, 'same'))).errcode).toBe(45065);
    expect((await t.call(token, SENDALL, textToTag(100, 'different'))).errcode).toBe(0);
  });
});
