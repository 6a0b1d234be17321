import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readServerlessConfig } from '../../local/serverless-config';
import { DEMO_ACCOUNTS, DEMO_MEDIA } from '../../sandbox/server';
import type { ErrorAnswer, SendAnswer, StatusAnswer } from './support/answers';
import {
  finishAndReadStatus,
  leakedSecrets,
  withAcceptedToken,
  startLocalProduct,
  type LocalProduct,
} from './support/local-product';

const { followers } = DEMO_ACCOUNTS.service;
const media = DEMO_MEDIA.service;
const [alice, bob, carol] = followers as [string, string, string, ...string[]];
// Tag 100 "vip" holds the demo service account's followers 0–9.
const VIP_TAG = 100;
// A 1×1 PNG, the smallest image WeChat's uploadimg takes.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

describe('the product on the demo service account, callback in safe mode', () => {
  let product: LocalProduct;
  beforeAll(async () => {
    product = await startLocalProduct({ account: 'service', callbackMode: 'safe' });
  });
  afterAll(async () => {
    await product?.close();
  });
  beforeEach(async () => {
    await product.resetSandbox();
  });

  describe('send-by-list', () => {
    it('sends once to the distinct followers of the list and reports the push counts through status', async () => {
      const sent = await product.call<SendAnswer>('POST', '/send-by-list', {
        body: { openIds: [alice, bob, alice], message: { type: 'text', content: 'Hi both' } },
      });

      expect(sent.status).toBe(200);
      const messages = product.local.sandbox.messages();
      expect(messages).toHaveLength(1);
      expect(messages[0]).toMatchObject({
        msgId: Number(sent.body.msgId),
        endpoint: 'send',
        audience: { type: 'openids', openids: [alice, bob] },
      });
      const status = await finishAndReadStatus(product, sent.body.msgId);
      expect(status).toMatchObject({
        status: 'SEND_SUCCESS',
        report: { status: { kind: 'success' }, counts: { total: 2, filter: 2, sent: 2, error: 0 } },
      });
    });
  });

  describe('send-by-list with an OpenID that does not follow the account', () => {
    it('still sends to the followers, and the push counts the stranger in TotalCount only', async () => {
      const stranger = 'oStrangerNotAFollower0000001';

      const sent = await product.call<SendAnswer>('POST', '/send-by-list', {
        body: { openIds: [alice, bob, stranger], message: { type: 'text', content: 'Hi all' } },
      });

      expect(sent.status).toBe(200);
      const status = await finishAndReadStatus(product, sent.body.msgId);
      expect(status.report?.counts).toEqual({ total: 3, filter: 2, sent: 2, error: 0 });
    });
  });

  describe('the push', () => {
    it("when WeChat never sends it, leaves status with WeChat's SEND_SUCCESS and no report", async () => {
      await withAcceptedToken(product);
      product.local.sandbox.injectFault({ path: '/cgi-bin/message/mass/sendall', kind: 'dropPush' });
      const sent = await product.call<SendAnswer>('POST', '/send-by-tag', {
        body: { audience: { tagId: VIP_TAG }, message: { type: 'text', content: 'Lost push' } },
      });

      product.local.sandbox.finishJobs();
      await product.local.sandbox.waitForPushes();
      const status = await product.call<StatusAnswer>('GET', `/status?msgId=${sent.body.msgId}`);

      expect(status.status).toBe(200);
      expect(status.body).toEqual({ msgId: sent.body.msgId, status: 'SEND_SUCCESS', source: 'wechat', report: null });
    });

    it('of a send stopped by the originality check is reported with its reason and SEND_FAIL', async () => {
      await withAcceptedToken(product);
      product.local.sandbox.injectFault({
        path: '/cgi-bin/message/mass/sendall',
        kind: 'jobStatus',
        status: 'err(30003)',
      });
      const sent = await product.call<SendAnswer>('POST', '/send-by-tag', {
        body: {
          audience: { tagId: VIP_TAG },
          message: { type: 'mpnews', mediaId: media.news },
          clientMsgId: 'reprint-check',
        },
      });

      const status = await finishAndReadStatus(product, sent.body.msgId);

      expect(status.status).toBe('SEND_FAIL');
      expect(status.report).toMatchObject({
        status: { kind: 'error', code: 30003, reason: 'originality_check_reprint_not_sent' },
        counts: { total: 10, filter: 10, sent: 0, error: 10 },
      });
    });
  });

  describe('preview', () => {
    it('reaches the follower behind a WeChat ID', async () => {
      const answer = await product.call('POST', '/preview', {
        body: { wechatId: 'sandbox_alice', message: { type: 'text', content: 'Preview' } },
      });

      expect(answer.status).toBe(200);
      expect(product.local.sandbox.messages()).toMatchObject([
        { endpoint: 'preview', audience: { type: 'preview', openid: alice, towxname: 'sandbox_alice' } },
      ]);
    });

    // WeChat answers 40132 (invalid username) for a towxname it does not know: the caller's typo.
    it('to a WeChat ID nobody has is 400 naming wechatId', async () => {
      const answer = await product.call<ErrorAnswer>('POST', '/preview', {
        body: { wechatId: 'sandbox_nobody', message: { type: 'text', content: 'Preview' } },
      });

      expect({ status: answer.status, fields: answer.body.error.fields?.map((f) => f.path) }).toEqual({
        status: 400,
        fields: ['wechatId'],
      });
      expect(product.local.sandbox.messages()).toEqual([]);
    });

    it('reaches a follower by OpenID', async () => {
      const answer = await product.call('POST', '/preview', {
        body: { openId: bob, message: { type: 'mpnews', mediaId: media.news } },
      });

      expect(answer.status).toBe(200);
      expect(product.local.sandbox.messages()).toMatchObject([
        {
          endpoint: 'preview',
          audience: { type: 'preview', openid: bob },
          content: { msgtype: 'mpnews', mediaId: media.news },
        },
      ]);
    });
  });

  describe('a repeated clientMsgId', () => {
    it('answers the first msgId with duplicate: true and sends only one message', async () => {
      const request = {
        audience: { tagId: VIP_TAG },
        message: { type: 'text', content: 'Once only' },
        clientMsgId: `e2e-dup-${Date.now()}`,
      };

      const first = await product.call<SendAnswer>('POST', '/send-by-tag', { body: request });
      const callsAfterFirst = product.local.sandbox.calls().length;
      const second = await product.call<SendAnswer>('POST', '/send-by-tag', { body: request });

      expect(first.status).toBe(200);
      expect(first.body.duplicate).toBeUndefined();
      expect(second.status).toBe(200);
      expect(second.body).toEqual({ msgId: first.body.msgId, clientMsgId: request.clientMsgId, duplicate: true });
      expect(product.local.sandbox.messages()).toHaveLength(1);
      // The replay comes from the store: WeChat is not asked again.
      expect(product.local.sandbox.calls()).toHaveLength(callsAfterFirst);
    });

    it('derived from the same Idempotency-Key header also sends once', async () => {
      const headers = { 'idempotency-key': `e2e-key-${Date.now()}` };
      const request = { audience: { tagId: VIP_TAG }, message: { type: 'text', content: 'Keyed once' } };

      const first = await product.call<SendAnswer>('POST', '/send-by-tag', { body: request, headers });
      const second = await product.call<SendAnswer>('POST', '/send-by-tag', { body: request, headers });

      expect(first.status).toBe(200);
      expect(second.body).toMatchObject({
        msgId: first.body.msgId,
        clientMsgId: first.body.clientMsgId,
        duplicate: true,
      });
      expect(product.local.sandbox.messages()).toHaveLength(1);
    });

    it('for another message is refused with 422 and sends nothing more', async () => {
      const clientMsgId = `e2e-reuse-${Date.now()}`;
      const first = await product.call<SendAnswer>('POST', '/send-by-tag', {
        body: { audience: { tagId: VIP_TAG }, message: { type: 'text', content: 'One' }, clientMsgId },
      });

      const other = await product.call<ErrorAnswer>('POST', '/send-by-tag', {
        body: { audience: { tagId: VIP_TAG }, message: { type: 'text', content: 'Two' }, clientMsgId },
      });

      expect(first.status).toBe(200);
      expect(other.status).toBe(422);
      expect(other.body.error.code).toBe('client_msg_id_reused');
      expect(product.local.sandbox.messages()).toHaveLength(1);
    });
  });

  describe('delete', () => {
    it('of a finished mpnews send turns its status into DELETE', async () => {
      const sent = await product.call<SendAnswer>('POST', '/send-by-tag', {
        body: {
          audience: { tagId: VIP_TAG },
          message: { type: 'mpnews', mediaId: media.news },
          clientMsgId: 'delete-whole',
        },
      });
      const before = await finishAndReadStatus(product, sent.body.msgId);

      const deleted = await product.call('POST', '/delete', { body: { msgId: sent.body.msgId } });

      expect(before.status).toBe('SEND_SUCCESS');
      expect(deleted).toMatchObject({ status: 200, body: { deleted: true } });
      const after = await product.call<StatusAnswer>('GET', `/status?msgId=${sent.body.msgId}`);
      expect(after.body.status).toBe('DELETE');
      // The push arrived before the delete; its report stays.
      expect(after.body.report).toMatchObject({ msgId: sent.body.msgId, counts: { total: 10 } });
    });
  });

  describe('status', () => {
    it('of a msgId WeChat does not know is 404', async () => {
      const answer = await product.call<ErrorAnswer>('GET', '/status?msgId=1000000001');

      expect(answer.status).toBe(404);
      expect(answer.body.error).toMatchObject({ code: 'msg_id_not_found', errcode: 40059 });
    });

    it('without a numeric msgId is 400 and asks WeChat nothing', async () => {
      const answer = await product.call<ErrorAnswer>('GET', '/status?msgId=12abc');

      expect(answer.status).toBe(400);
      expect(product.local.sandbox.calls()).toEqual([]);
    });
  });

  describe('the callback URL', () => {
    const signed = (token: string, timestamp: string, nonce: string) =>
      createHash('sha1').update([token, timestamp, nonce].sort().join('')).digest('hex');

    it('echoes echostr to a verification signed with the callback Token', async () => {
      const timestamp = String(Math.floor(Date.now() / 1000));
      const query = new URLSearchParams({
        signature: signed(product.local.env.WECHAT_TOKEN!, timestamp, 'n0nce'),
        timestamp,
        nonce: 'n0nce',
        echostr: 'echo-4711',
      });

      const res = await fetch(`${product.local.gateway.url}/callback?${query}`);

      expect(res.status).toBe(200);
      expect(await res.text()).toBe('echo-4711');
    });

    it('refuses a verification signed with another token, without the echostr', async () => {
      const timestamp = String(Math.floor(Date.now() / 1000));
      const query = new URLSearchParams({
        signature: signed('not-the-token', timestamp, 'n0nce'),
        timestamp,
        nonce: 'n0nce',
        echostr: 'echo-4711',
      });

      const res = await fetch(`${product.local.gateway.url}/callback?${query}`);

      expect(res.status).toBe(401);
      expect(await res.text()).not.toContain('echo-4711');
    });
  });

  describe('delete of an article position the message does not have', () => {
    it('is 400 naming articleIdx, and the send stays SEND_SUCCESS', async () => {
      const sent = await product.call<SendAnswer>('POST', '/send-by-tag', {
        body: {
          audience: { tagId: VIP_TAG },
          message: { type: 'mpnews', mediaId: media.news },
          clientMsgId: 'delete-bad-idx',
        },
      });
      await finishAndReadStatus(product, sent.body.msgId);

      // The seeded news item has two articles.
      const answer = await product.call<ErrorAnswer>('POST', '/delete', {
        body: { msgId: sent.body.msgId, articleIdx: 3 },
      });

      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatchObject({ code: 'invalid_article_idx', errcode: 40060 });
      expect(answer.body.error.fields).toEqual([expect.objectContaining({ path: 'articleIdx' })]);
      const after = await product.call<StatusAnswer>('GET', `/status?msgId=${sent.body.msgId}`);
      expect(after.body.status).toBe('SEND_SUCCESS');
    });
  });

  describe('speed', () => {
    it('set to 3 is read back as 3 with its real speed of 300,000 users a minute', async () => {
      const set = await product.call('PUT', '/speed', { body: { speed: 3 } });
      const got = await product.call('GET', '/speed');

      expect(set).toMatchObject({ status: 200, body: { speed: 3, usersPerMinute: 300_000 } });
      expect(got).toMatchObject({ status: 200, body: { speed: 3, usersPerMinute: 300_000 } });
      expect(product.local.sandbox.state().accounts.find((a) => a.appid === DEMO_ACCOUNTS.service.appid)?.speed).toBe(
        3,
      );
    });
  });

  describe('media', () => {
    it('uploads an image and articles, then sends the articles as mpnews to a tag', async () => {
      const image = await product.call<{ url: string }>('POST', '/media/image?filename=cover.png', {
        bytes: { data: PNG, contentType: 'image/png' },
      });
      const news = await product.call<{ mediaId: string }>('POST', '/media/news', {
        body: {
          articles: [
            { thumbMediaId: media.thumb, title: 'Hello', content: `<p>Body</p><img src="${image.body.url}">` },
          ],
        },
      });

      const sent = await product.call<SendAnswer>('POST', '/send-by-tag', {
        body: { audience: { tagId: VIP_TAG }, message: { type: 'mpnews', mediaId: news.body.mediaId } },
      });

      expect(image.status).toBe(200);
      expect(image.body.url).toMatch(/^https?:\/\//);
      expect(news.status).toBe(200);
      expect(news.body.mediaId).toEqual(expect.any(String));
      expect(sent.status).toBe(200);
      expect(product.local.sandbox.messages()).toMatchObject([
        { msgId: Number(sent.body.msgId), content: { msgtype: 'mpnews', mediaId: news.body.mediaId, articleCount: 1 } },
      ]);
    });

    it('turns an uploaded video into an mpvideo id that a send accepts', async () => {
      const video = await product.call<{ mediaId: string }>('POST', '/media/video', {
        body: { mediaId: media.video, title: 'Clip', description: 'A short clip' },
      });

      const sent = await product.call<SendAnswer>('POST', '/send-by-list', {
        body: { openIds: [alice, bob, carol], message: { type: 'mpvideo', mediaId: video.body.mediaId } },
      });

      expect(video.status).toBe(200);
      expect(video.body.mediaId).not.toBe(media.video);
      expect(sent.status).toBe(200);
      expect(product.local.sandbox.messages()).toMatchObject([
        { content: { msgtype: 'mpvideo', mediaId: video.body.mediaId } },
      ]);
    });
  });

  describe('the API key', () => {
    it('when wrong gets 401 and WeChat is never called', async () => {
      const answer = await product.call<ErrorAnswer>('POST', '/send-by-tag', {
        apiKey: 'local-not-the-right-key',
        body: { audience: { tagId: VIP_TAG }, message: { type: 'text', content: 'Should not go out' } },
      });

      expect(answer.status).toBe(401);
      expect(answer.body.error.code).toBe('unauthorized');
      expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(product.local.sandbox.calls()).toEqual([]);
    });

    it('when missing gets 401 on every function', async () => {
      for (const [method, path] of [
        ['POST', '/send-by-tag'],
        ['POST', '/send-by-list'],
        ['POST', '/preview'],
        ['POST', '/delete'],
        ['GET', '/status?msgId=1'],
        ['GET', '/speed'],
        ['POST', '/media/news'],
      ] as const) {
        const answer = await product.call(method, path, { apiKey: null, body: method === 'POST' ? {} : undefined });
        expect({ path, status: answer.status }).toEqual({ path, status: 401 });
      }
      expect(product.local.sandbox.calls()).toEqual([]);
    });
  });

  describe('the refresh-token timer from serverless.yml', () => {
    it('answers ok when fired', async () => {
      const trigger = readServerlessConfig(resolve(import.meta.dirname, '../../serverless.yml')).timers.find(
        (t) => t.function === 'refresh-token',
      );
      expect(trigger).toBeDefined();

      const result = await product.local.gateway.fire(trigger!);

      expect(result).toEqual({ ok: true });
    });
  });

  it('never writes a secret or an access token to the log', async () => {
    expect(product.lines.length).toBeGreaterThan(0);
    expect(leakedSecrets(product.lines, await product.secrets())).toEqual([]);
  });
});
