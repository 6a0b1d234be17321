import { describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS } from '../../sandbox/accounts';
import type { TestSandbox } from './helpers';
import { DELETE, GET_STATUS, SENDALL, textToTag, useSandboxPerTest } from './helpers';

const service = DEMO_ACCOUNTS.service;
const mpnewsToTag = {
  filter: { is_to_all: false, tag_id: 100 },
  msgtype: 'mpnews',
  mpnews: { media_id: service.media.news },
};
let t: TestSandbox;
let token: string;

useSandboxPerTest(service, (ready) => ({ t, token } = ready));

describe('mass/get', () => {
  it('moves from SENDING to SEND_SUCCESS after the job duration', async () => {
    const { msg_id: msgId } = await t.call(token, SENDALL, textToTag(100, 'hi'));
    expect(await t.call(token, GET_STATUS, { msg_id: msgId })).toEqual({ msg_id: msgId, msg_status: 'SENDING' });
    t.sandbox.advanceClock(1000);
    expect((await t.call(token, GET_STATUS, { msg_id: msgId })).msg_status).toBe('SEND_SUCCESS');
  });

  it('accepts msg_id as a string, as in WeChat’s sample', async () => {
    const { msg_id: msgId } = await t.call(token, SENDALL, textToTag(100, 'hi'));
    expect((await t.call(token, GET_STATUS, { msg_id: String(msgId) })).msg_id).toBe(msgId);
  });

  it('answers 40059 for an unknown msg_id', async () => {
    expect((await t.call(token, GET_STATUS, { msg_id: 12345 })).errcode).toBe(40059);
  });

  it('does not show another account’s send', async () => {
    const { msg_id: msgId } = await t.call(token, SENDALL, textToTag(100, 'hi'));
    const other = await t.tokenFor(DEMO_ACCOUNTS.subscription);
    expect((await t.call(other, GET_STATUS, { msg_id: msgId })).errcode).toBe(40059);
  });
});

describe('mass/delete', () => {
  it('turns a successful mpnews send into DELETE', async () => {
    const { msg_id: msgId } = await t.call(token, SENDALL, mpnewsToTag);
    t.sandbox.finishJobs();
    expect(await t.call(token, DELETE, { msg_id: msgId, article_idx: 0 })).toMatchObject({ errcode: 0 });
    expect((await t.call(token, GET_STATUS, { msg_id: msgId })).msg_status).toBe('DELETE');
  });

  it('refuses to delete while the job is still SENDING with 40059', async () => {
    const { msg_id: msgId } = await t.call(token, SENDALL, mpnewsToTag);
    expect((await t.call(token, DELETE, { msg_id: msgId })).errcode).toBe(40059);
  });

  it('refuses to delete a text message with 40059', async () => {
    const { msg_id: msgId } = await t.call(token, SENDALL, textToTag(100, 'hi'));
    t.sandbox.finishJobs();
    expect((await t.call(token, DELETE, { msg_id: msgId })).errcode).toBe(40059);
  });

  it('rejects an article_idx beyond the articles with 40060', async () => {
    const { msg_id: msgId } = await t.call(token, SENDALL, mpnewsToTag);
    t.sandbox.finishJobs();
    expect((await t.call(token, DELETE, { msg_id: msgId, article_idx: 3 })).errcode).toBe(40060);
  });

  it('deletes by article url', async () => {
    const { msg_id: msgId } = await t.call(token, SENDALL, mpnewsToTag);
    t.sandbox.finishJobs();
    const url = t.sandbox.messages()[0]?.articleUrls[0];
    expect((await t.call(token, DELETE, { url })).errcode).toBe(0);
    expect((await t.call(token, GET_STATUS, { msg_id: msgId })).msg_status).toBe('DELETE');
  });
});

describe('mass/speed', () => {
  it('reports speed 0 at 800k a minute by default', async () => {
    expect(await t.call(token, '/cgi-bin/message/mass/speed/get')).toEqual({ speed: 0, realspeed: 80 });
  });

  it('sets speed 3 and reports realspeed 30', async () => {
    expect((await t.call(token, '/cgi-bin/message/mass/speed/set', { speed: 3 })).errcode).toBe(0);
    expect(await t.call(token, '/cgi-bin/message/mass/speed/get')).toEqual({ speed: 3, realspeed: 30 });
  });

  it('rejects speed 5 with 45083 and a missing speed with 45084', async () => {
    expect((await t.call(token, '/cgi-bin/message/mass/speed/set', { speed: 5 })).errcode).toBe(45083);
    expect((await t.call(token, '/cgi-bin/message/mass/speed/set', {})).errcode).toBe(45084);
  });
});
