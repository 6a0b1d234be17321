import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS, DEMO_MEDIA } from '../../sandbox/server';
import type { ErrorAnswer, SendAnswer, StatusAnswer } from './support/answers';
import { finishAndReadStatus, startLocalProduct, withAcceptedToken, type LocalProduct } from './support/local-product';

/** Issue 12: answers a user can act on, through the built bundles, the local gateway and the sandbox. */
const service = DEMO_ACCOUNTS.service;
const media = DEMO_MEDIA.service;

describe('answers a user can act on (demo service account, safe mode)', () => {
  let product: LocalProduct;
  beforeAll(async () => {
    product = await startLocalProduct({
      account: 'service',
      callbackMode: 'safe',
      // Jobs finish when a test says so (finishAndReadStatus), not while it is still looking.
      jobDurationMs: 60_000,
    });
  });
  afterAll(async () => {
    await product?.close();
  });
  beforeEach(async () => {
    await product.resetSandbox();
  });

  describe("WeChat's status words", () => {
    it.each([
      ['sendsuccess', 'success'],
      ['SendFail', 'fail'],
      ['send success', 'success'],
    ])('reads a MASSSENDJOBFINISH Status of "%s" as %s', async (word, kind) => {
      await withAcceptedToken(product);
      product.local.sandbox.injectFault({ path: '/cgi-bin/message/mass/sendall', kind: 'jobStatus', status: word });
      const sent = await product.call<SendAnswer>('POST', '/send-by-tag', {
        body: { audience: { tagId: 100 }, message: { type: 'text', content: `Status ${word}` } },
      });

      expect(sent.status).toBe(200);
      const status = await finishAndReadStatus(product, sent.body.msgId);
      expect(status.report?.status).toEqual({ kind });
    });
  });

  describe('identical sends without clientMsgId', () => {
    it('reach WeChat once: the second answers duplicate with the first msgId, whatever its key order', async () => {
      const first = await product.call<SendAnswer>('POST', '/send-by-tag', {
        body: { audience: { tagId: 100 }, message: { type: 'text', content: 'Only once' } },
      });
      const second = await product.call<SendAnswer>('POST', '/send-by-tag', {
        body: { message: { content: 'Only once', type: 'text' }, audience: { tagId: 100 } },
      });

      expect(first.status).toBe(200);
      expect(second.body).toEqual({ ...first.body, duplicate: true });
      // Calls WeChat accepted (the first may meet the token the sandbox's reset revoked, and be retried).
      const sends = product.local.sandbox.calls().filter((c) => c.path === '/cgi-bin/message/mass/sendall');
      expect(sends.filter((c) => c.errcode === 0)).toHaveLength(1);
      expect(sends.every((c) => c.errcode === 0 || c.errcode === 40001)).toBe(true);
      expect(product.local.sandbox.messages()).toHaveLength(1);
    });

    it('to the same list in another order are one send; a new clientMsgId sends the same content again', async () => {
      const [a, b] = service.followers as [string, string];
      const message = { type: 'text', content: 'Hi both' };
      const first = await product.call<SendAnswer>('POST', '/send-by-list', { body: { openIds: [a, b], message } });
      const again = await product.call<SendAnswer>('POST', '/send-by-list', { body: { openIds: [b, a], message } });
      const intended = await product.call<SendAnswer>('POST', '/send-by-list', {
        body: { openIds: [a, b], message, clientMsgId: 'hi-both-again' },
      });

      expect(again.body).toMatchObject({ msgId: first.body.msgId, duplicate: true });
      expect(intended.status).toBe(200);
      expect(intended.body.msgId).not.toBe(first.body.msgId);
      expect(product.local.sandbox.messages()).toHaveLength(2);
    });
  });

  describe('a send waiting for an administrator', () => {
    it('can be followed up by clientMsgId, and a retry returns the msgId once confirmed', async () => {
      product.local.sandbox.setProtection(true, service.appid);
      const body = { audience: { all: true }, message: { type: 'text', content: 'To all, once confirmed' } };

      const held = await product.call<{ clientMsgId: string; message: string }>('POST', '/send-by-tag', { body });
      expect(held.status).toBe(202);
      const { clientMsgId } = held.body;
      const statusPath = `/status?clientMsgId=${encodeURIComponent(clientMsgId)}`;
      expect(held.body.message).toContain(`GET ${statusPath}`);
      const waiting = await product.call('GET', statusPath);
      expect(waiting.body).toMatchObject({ clientMsgId, state: 'awaiting_confirmation' });
      expect((await product.call('POST', '/send-by-tag', { body })).status).toBe(202);

      // The administrator confirms a couple of minutes later.
      product.local.sandbox.advanceClock(2 * 60_000);
      const confirmed = product.local.sandbox.decide({ clientMsgId, decision: 'confirm' });
      const retry = await product.call<SendAnswer>('POST', '/send-by-tag', { body });

      expect(retry.status).toBe(200);
      expect(retry.body).toEqual({ msgId: String(confirmed?.msgId), clientMsgId, duplicate: true });
      const sent = await product.call('GET', statusPath);
      expect(sent.body).toMatchObject({ clientMsgId, state: 'sent', msgId: String(confirmed?.msgId) });
      const held2 = product.local.sandbox.messages().filter((m) => m.audience.type === 'all');
      expect(held2).toHaveLength(1);
    });

    it('answers 404 for a clientMsgId nothing was sent with, and 400 for both or neither id', async () => {
      const unknown = await product.call<ErrorAnswer>('GET', '/status?clientMsgId=never-sent');
      const both = await product.call<ErrorAnswer>('GET', '/status?clientMsgId=x&msgId=1');
      const neither = await product.call<ErrorAnswer>('GET', '/status');

      expect([unknown.status, unknown.body.error.code]).toEqual([404, 'send_not_found']);
      expect(both.status).toBe(400);
      expect(neither.status).toBe(400);
      expect(both.body.error.message).toMatch(/exactly one of msgId or clientMsgId/);
    });
  });

  describe('/status after the final report', () => {
    it('answers from the recorded report without calling mass/get, even when WeChat is unreachable', async () => {
      const sent = await product.call<SendAnswer>('POST', '/send-by-tag', {
        body: { audience: { tagId: 100 }, message: { type: 'text', content: 'Reported' } },
      });
      await finishAndReadStatus(product, sent.body.msgId);
      product.local.sandbox.injectFault({ path: '/cgi-bin/message/mass/get', kind: 'http500', times: 3 });
      const massGets = () => product.local.sandbox.calls().filter((c) => c.path === '/cgi-bin/message/mass/get').length;
      const before = massGets();

      const status = await product.call<StatusAnswer & { source: string }>('GET', `/status?msgId=${sent.body.msgId}`);

      expect(status.status).toBe(200);
      expect(status.body).toMatchObject({
        status: 'SEND_SUCCESS',
        source: 'report',
        report: { status: { kind: 'success' } },
      });
      expect(massGets()).toBe(before);
      expect(product.local.sandbox.faults()).toHaveLength(1);
      product.local.sandbox.clearFaults();
    });

    it('asks WeChat before the report, and says DELETE from the store after a delete', async () => {
      const sent = await product.call<SendAnswer>('POST', '/send-by-tag', {
        body: { audience: { tagId: 100 }, message: { type: 'mpnews', mediaId: media.news } },
      });
      const early = await product.call<StatusAnswer & { source: string }>('GET', `/status?msgId=${sent.body.msgId}`);
      expect(early.body).toMatchObject({ status: 'SENDING', source: 'wechat', report: null });

      await finishAndReadStatus(product, sent.body.msgId);
      expect((await product.call('POST', '/delete', { body: { msgId: sent.body.msgId } })).status).toBe(200);
      const after = await product.call<StatusAnswer & { source: string }>('GET', `/status?msgId=${sent.body.msgId}`);

      expect(after.body).toMatchObject({ status: 'DELETE', source: 'report' });
    });
  });

  describe('errors caused by the request are 4xx naming the field', () => {
    it('refuses a text over 600 characters with 400 naming message.content, before calling WeChat', async () => {
      await withAcceptedToken(product);
      const calls = product.local.sandbox.calls().length;
      const answer = await product.call<ErrorAnswer>('POST', '/send-by-tag', {
        body: { audience: { tagId: 100 }, message: { type: 'text', content: '字'.repeat(601) } },
      });

      expect(answer.status).toBe(400);
      expect(answer.body.error.fields).toEqual([
        { path: 'message.content', reason: "must hold at most 600 characters (WeChat's limit), has 601" },
      ]);
      expect(answer.body.error.requestId).toBeTruthy();
      expect(product.local.sandbox.calls()).toHaveLength(calls);
    });

    it("answers WeChat's 45002 (content too long) with 400 naming message.content", async () => {
      await withAcceptedToken(product);
      product.local.sandbox.injectFault({ path: '/cgi-bin/message/mass/sendall', kind: 'errcode', errcode: 45002 });
      const answer = await product.call<ErrorAnswer>('POST', '/send-by-tag', {
        body: { audience: { tagId: 100 }, message: { type: 'text', content: 'Not too long for us' } },
      });

      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatchObject({ code: 'content_too_long', errcode: 45002 });
      expect(answer.body.error.fields?.[0]?.path).toBe('message.content');
    });

    it('refuses an article title over 32 characters with 400 naming it', async () => {
      const answer = await product.call<ErrorAnswer>('POST', '/media/news', {
        body: { articles: [{ thumbMediaId: media.thumb, title: 'T'.repeat(33), content: '<p>x</p>' }] },
      });

      expect(answer.status).toBe(400);
      expect(answer.body.error.fields?.[0]?.path).toBe('articles[0].title');
    });

    it("explains delete's 40059 for a message that exists but cannot be deleted (a text send)", async () => {
      const sent = await product.call<SendAnswer>('POST', '/send-by-tag', {
        body: { audience: { tagId: 100 }, message: { type: 'text', content: 'Not deletable' } },
      });
      await finishAndReadStatus(product, sent.body.msgId);

      const answer = await product.call<ErrorAnswer>('POST', '/delete', { body: { msgId: sent.body.msgId } });

      expect(answer.status).toBe(404);
      expect(answer.body.error.message).toMatch(/only mpnews and mpvideo sends that finished successfully/);
    });

    it('answers -1 on status without talking about clientMsgId, and on a send with it', async () => {
      await withAcceptedToken(product);
      product.local.sandbox.injectFault({ path: '/cgi-bin/message/mass/get', kind: 'errcode', errcode: -1 });
      product.local.sandbox.injectFault({ path: '/cgi-bin/message/mass/sendall', kind: 'errcode', errcode: -1 });

      const status = await product.call<ErrorAnswer>('GET', '/status?msgId=3147483649');
      const send = await product.call<ErrorAnswer>('POST', '/send-by-tag', {
        body: { audience: { tagId: 100 }, message: { type: 'text', content: 'Busy' } },
      });

      expect([status.status, status.body.error.code]).toEqual([503, 'wechat_busy']);
      expect(status.body.error.message).not.toMatch(/clientMsgId/);
      expect([send.status, send.body.error.code]).toEqual([503, 'wechat_busy']);
      expect(send.body.error.message).toMatch(/same clientMsgId/);
    });
  });

  describe('validation messages that explain themselves', () => {
    const text = { type: 'text', content: 'Hi' };
    const reasons = (answer: { body: ErrorAnswer }) => answer.body.error.fields?.map((f) => f.reason) ?? [];

    it('audience with both all and tagId', async () => {
      const answer = await product.call<ErrorAnswer>('POST', '/send-by-tag', {
        body: { audience: { all: true, tagId: 100 }, message: text },
      });
      expect(answer.status).toBe(400);
      expect(answer.body.error.fields).toEqual([
        { path: 'audience', reason: 'audience takes either {all: true} or {tagId}, not both' },
      ]);
    });

    it('preview with both ids or neither', async () => {
      const [alice] = service.followers as [string];
      const both = await product.call<ErrorAnswer>('POST', '/preview', {
        body: { openId: alice, wechatId: 'sandbox_alice', message: text },
      });
      const neither = await product.call<ErrorAnswer>('POST', '/preview', { body: { message: text } });
      expect(reasons(both)).toEqual(['preview needs exactly one of openId or wechatId']);
      expect(reasons(neither)).toEqual(['preview needs exactly one of openId or wechatId']);
    });

    it('a msgId sent as a JSON number', async () => {
      const answer = await product.call<ErrorAnswer>('POST', '/delete', { body: { msgId: 3147483649 } });
      expect(answer.status).toBe(400);
      expect(reasons(answer)[0]).toMatch(/must be a string .*2\^53/);
    });

    it('a list of one OpenID points to /preview', async () => {
      const [alice] = service.followers as [string];
      const answer = await product.call<ErrorAnswer>('POST', '/send-by-list', {
        body: { openIds: [alice], message: text },
      });
      expect(answer.status).toBe(400);
      expect(reasons(answer)[0]).toMatch(/\/preview/);
    });

    it('a body that starts with a UTF-8 BOM', async () => {
      const json = JSON.stringify({ audience: { tagId: 100 }, message: text });
      const answer = await product.call<ErrorAnswer>('POST', '/send-by-tag', {
        bytes: {
          data: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json)]),
          contentType: 'application/json',
        },
      });
      expect(answer.status).toBe(400);
      expect(answer.body.error.message).toMatch(/byte order mark/);
    });

    it('a query parameter given twice', async () => {
      const answer = await product.call<ErrorAnswer>('GET', '/status?msgId=3147483649&msgId=3147483650');
      expect(answer.status).toBe(400);
      expect(answer.body.error.fields).toEqual([{ path: '(query) msgId', reason: 'given 2 times; give it once' }]);
    });

    it("the gateway's own 404 and 413 carry a requestId, and the size reads as people write it", async () => {
      const missing = await product.call<ErrorAnswer>('GET', '/no-such-route');
      const huge = await product.call<ErrorAnswer>('POST', '/send-by-tag', {
        bytes: { data: Buffer.alloc(6 * 1024 * 1024 + 1, 0x20), contentType: 'application/json' },
      });

      expect(missing.status).toBe(404);
      expect(missing.body.error.requestId).toMatch(/\w{8}-/);
      expect(missing.headers.get('x-request-id')).toBe(missing.body.error.requestId);
      expect(huge.status).toBe(413);
      expect(huge.body.error.requestId).toBeTruthy();
      expect(huge.body.error.message).toContain('6 MB');
    });
  });

  describe('body sizes that make sense', () => {
    it('refuses a 5 MB text message with 413 naming the route limit, and sends nothing', async () => {
      const calls = product.local.sandbox.calls().length;
      const body = { audience: { tagId: 100 }, message: { type: 'text', content: 'x'.repeat(5 * 1024 * 1024) } };
      const answer = await product.call<ErrorAnswer>('POST', '/send-by-tag', { body });

      expect(answer.status).toBe(413);
      expect(answer.body.error).toMatchObject({ code: 'body_too_large' });
      expect(answer.body.error.message).toMatch(/^the body is 5 MB; this route takes at most 64 KB/);
      expect(answer.body.error.requestId).toBeTruthy();
      expect(product.local.sandbox.calls()).toHaveLength(calls);
    });

    it('takes a list of 10,000 OpenIDs (over 64 KB) on send-by-list', async () => {
      const openIds = Array.from({ length: 10_000 }, (_, i) => `o${String(i).padStart(27, '0')}`);
      const answer = await product.call<ErrorAnswer>('POST', '/send-by-list', {
        body: { openIds, message: { type: 'text', content: 'Big list' }, clientMsgId: 'big-list' },
      });
      // Past the size check: WeChat refuses these made-up OpenIDs (none follows the account).
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe('invalid_openid');
    });
  });

  describe('API mass-send protection in the sandbox', () => {
    it('ends a send to all that the administrator rejects with err(40001) in the recorded report', async () => {
      product.local.sandbox.setProtection(true, service.appid);
      const held = await product.call<{ status: string; errcode: number }>('POST', '/send-by-tag', {
        body: { audience: { all: true }, message: { type: 'text', content: 'To all' }, clientMsgId: 'protected-1' },
      });
      expect(held.status).toBe(202);
      expect(held.body).toMatchObject({ status: 'awaiting_confirmation', errcode: 89504 });

      const decided = product.local.sandbox.decide({ clientMsgId: 'protected-1', decision: 'reject' });
      expect(decided).toBeDefined();
      const status = await finishAndReadStatus(product, String(decided?.msgId));
      expect(status).toMatchObject({
        status: 'SEND_FAIL',
        report: { status: { kind: 'error', code: 40001, reason: 'admin_rejected' } },
      });
    });

    it('ends a send to all nobody confirms within 30 minutes with err(40002)', async () => {
      // The sandbox's clock may not run ahead of the callback's timestamp window, so the
      // administrator's 30 minutes are 1.5 s here.
      product.local.sandbox.setProtection(true, service.appid, 1_500);
      const held = await product.call('POST', '/send-by-tag', {
        body: { audience: { all: true }, message: { type: 'text', content: 'To all' }, clientMsgId: 'protected-2' },
      });
      expect(held.status).toBe(202);
      const [waiting] = product.local.sandbox.awaitingConfirmation();
      expect(waiting).toBeDefined();

      await new Promise((resolve) => setTimeout(resolve, 1_600));
      const status = await finishAndReadStatus(product, String(waiting?.msgId));
      expect(status.report?.status).toEqual({ kind: 'error', code: 40002, reason: 'admin_confirmation_timeout' });
    });
  });
});
