import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sendByTagRoutes } from '../../shared/api/routes/send-by-tag';
import { SEND_OUTCOMES } from '../../shared/api/send-outcomes';
import {
  ACCESS_TOKEN,
  API_KEY,
  API_KEY_PREVIOUS,
  APP_SECRET,
  createApiHarness,
  type ApiHarness,
} from '../support/api-harness';

const SENDALL = '/cgi-bin/message/mass/sendall';
const OK = '{"errcode":0,"errmsg":"send job submission success","msg_id":34182,"msg_data_id":206227730}';

describe('POST /send-by-tag', () => {
  let api: ApiHarness;
  beforeEach(() => {
    api = createApiHarness(sendByTagRoutes);
  });
  afterEach(() => api.close());

  const send = (body: object, headers: Record<string, string> = {}) =>
    api.invoke({ path: '/send-by-tag', body, apiKey: API_KEY, headers });

  describe('translates every message type exactly into the sendall body', () => {
    const cases: Array<[string, object, object]> = [
      ['text', { type: 'text', content: '你好' }, { msgtype: 'text', text: { content: '你好' } }],
      [
        'mpnews',
        { type: 'mpnews', mediaId: 'news-media-1' },
        { msgtype: 'mpnews', mpnews: { media_id: 'news-media-1' } },
      ],
      [
        'mpnews that continues past a permitted reprint',
        { type: 'mpnews', mediaId: 'news-media-1', sendIgnoreReprint: true },
        { msgtype: 'mpnews', mpnews: { media_id: 'news-media-1' }, send_ignore_reprint: 1 },
      ],
      [
        'mpnews that stops on a reprint',
        { type: 'mpnews', mediaId: 'news-media-1', sendIgnoreReprint: false },
        { msgtype: 'mpnews', mpnews: { media_id: 'news-media-1' }, send_ignore_reprint: 0 },
      ],
      [
        'image (under images)',
        { type: 'image', mediaIds: ['img-1', 'img-2'] },
        { msgtype: 'image', images: { media_ids: ['img-1', 'img-2'] } },
      ],
      [
        'image with recommendation and comments',
        { type: 'image', mediaIds: ['img-1'], recommend: '推荐语', needOpenComment: true, onlyFansCanComment: false },
        {
          msgtype: 'image',
          images: { media_ids: ['img-1'], recommend: '推荐语', need_open_comment: 1, only_fans_can_comment: 0 },
        },
      ],
      ['voice', { type: 'voice', mediaId: 'voice-1' }, { msgtype: 'voice', voice: { media_id: 'voice-1' } }],
      ['mpvideo', { type: 'mpvideo', mediaId: 'video-1' }, { msgtype: 'mpvideo', mpvideo: { media_id: 'video-1' } }],
      [
        'mpvideo with title and description',
        { type: 'mpvideo', mediaId: 'video-1', title: 'T', description: 'D' },
        { msgtype: 'mpvideo', mpvideo: { media_id: 'video-1', title: 'T', description: 'D' } },
      ],
      ['wxcard', { type: 'wxcard', cardId: 'card-1' }, { msgtype: 'wxcard', wxcard: { card_id: 'card-1' } }],
      [
        'wxcard with card_ext',
        {
          type: 'wxcard',
          cardId: 'card-1',
          cardExt: '{"code":"","openid":"","timestamp":"1402057159","signature":"x"}',
        },
        {
          msgtype: 'wxcard',
          wxcard: { card_id: 'card-1', card_ext: '{"code":"","openid":"","timestamp":"1402057159","signature":"x"}' },
        },
      ],
    ];
    for (const [name, message, wechat] of cases) {
      it(`sends ${name} to everyone`, async () => {
        api.serveToken();
        api.serve(SENDALL, OK);
        const res = await send({ audience: { all: true }, message, clientMsgId: 'launch-1' });
        expect(res.statusCode).toBe(200);
        expect(api.calls).toEqual([
          {
            path: SENDALL,
            accessToken: ACCESS_TOKEN,
            raw: expect.any(String),
            json: { filter: { is_to_all: true }, ...wechat, clientmsgid: 'launch-1' },
          },
        ]);
      });
    }
  });

  it('sends to one tag with is_to_all as a JSON boolean false and tag_id as a number', async () => {
    api.serveToken();
    api.serve(SENDALL, OK);
    const res = await send({ audience: { tagId: 2 }, message: { type: 'text', content: 'hi' }, clientMsgId: 'tag-2' });
    expect(res.statusCode).toBe(200);
    expect(api.calls[0]!.json).toEqual({
      filter: { is_to_all: false, tag_id: 2 },
      msgtype: 'text',
      text: { content: 'hi' },
      clientmsgid: 'tag-2',
    });
    expect(api.calls[0]!.raw).toContain('"is_to_all":false');
  });

  it('answers with msgId, msgDataId and clientMsgId as strings', async () => {
    api.serveToken();
    api.serve(SENDALL, OK);
    const res = await send({ audience: { all: true }, message: { type: 'text', content: 'hi' }, clientMsgId: 'c-1' });
    expect(res.json).toEqual({ msgId: '34182', msgDataId: '206227730', clientMsgId: 'c-1' });
    expect(res.headers['x-request-id']).toBe('scf-request-1');
  });

  it('keeps a msg_id above 2^53 exact', async () => {
    api.serveToken();
    api.serve(
      SENDALL,
      '{"errcode":0,"errmsg":"send job submission success","msg_id":9007199254740993,"msg_data_id":9007199254740995}',
    );
    const res = await send({ audience: { all: true }, message: { type: 'text', content: 'hi' } });
    expect(res.body).toContain('"msgId":"9007199254740993"');
    expect(res.body).toContain('"msgDataId":"9007199254740995"');
  });

  describe('clientmsgid', () => {
    it('derives the same clientmsgid from the same Idempotency-Key, at most 64 bytes', async () => {
      api.serveToken();
      api.serve(SENDALL, OK);
      const first = await send(
        { audience: { all: true }, message: { type: 'text', content: 'hi' } },
        { 'Idempotency-Key': 'order-2024-001' },
      );
      const second = await send(
        { audience: { all: true }, message: { type: 'text', content: 'hi' } },
        { 'Idempotency-Key': 'order-2024-001' },
      );
      expect(first.json.clientMsgId).toMatch(/^ik-[A-Za-z0-9_-]{43}$/);
      expect(Buffer.byteLength(first.json.clientMsgId)).toBeLessThanOrEqual(64);
      expect((api.calls[0]!.json as { clientmsgid: string }).clientmsgid).toBe(first.json.clientMsgId);
      expect(second.json).toEqual({ ...first.json, duplicate: true });
      expect(api.calls).toHaveLength(1);
    });

    it('derives different clientmsgids from different Idempotency-Keys', async () => {
      api.serveToken();
      api.serve(SENDALL, OK);
      api.serve(SENDALL, '{"errcode":0,"errmsg":"ok","msg_id":34183}');
      const a = await send(
        { audience: { all: true }, message: { type: 'text', content: 'hi' } },
        { 'idempotency-key': 'a' },
      );
      const b = await send(
        { audience: { all: true }, message: { type: 'text', content: 'hi' } },
        { 'idempotency-key': 'b' },
      );
      expect(a.json.clientMsgId).not.toBe(b.json.clientMsgId);
    });

    it("prefers the body's clientMsgId over the Idempotency-Key", async () => {
      api.serveToken();
      api.serve(SENDALL, OK);
      const res = await send(
        { audience: { all: true }, message: { type: 'text', content: 'hi' }, clientMsgId: 'mine' },
        { 'idempotency-key': 'theirs' },
      );
      expect(res.json.clientMsgId).toBe('mine');
    });

    it('derives the clientmsgid from the request when neither is given, and returns it', async () => {
      api.serveToken();
      api.serve(SENDALL, OK);
      const res = await send({ audience: { all: true }, message: { type: 'text', content: 'hi' } });
      expect(res.json.clientMsgId).toMatch(/^dg-[\w-]{43}$/);
      expect((api.calls[0]!.json as { clientmsgid: string }).clientmsgid).toBe(res.json.clientMsgId);
    });

    it('answers the same request again without calling WeChat: duplicate, the first msgId', async () => {
      api.serveToken();
      api.serve(SENDALL, OK);
      const first = await send({ audience: { tagId: 2 }, message: { type: 'text', content: 'once' } });
      const again = await send({ message: { content: 'once', type: 'text' }, audience: { tagId: 2 } });
      expect(again.json).toEqual({ ...first.json, duplicate: true });
      expect(api.calls).toHaveLength(1);
    });

    it('rejects an empty Idempotency-Key', async () => {
      const res = await send(
        { audience: { all: true }, message: { type: 'text', content: 'hi' } },
        { 'idempotency-key': ' ' },
      );
      expect(res.statusCode).toBe(400);
      expect(res.json.error.fields).toEqual([{ path: '(header) idempotency-key', reason: expect.any(String) }]);
    });

    it('turns 45065 into a 200 with the earlier msg_id and duplicate: true', async () => {
      api.serveToken();
      api.serve(SENDALL, '{"errcode":45065,"errmsg":"clientmsgid exist","msg_id":3147483650}');
      const res = await send({
        audience: { all: true },
        message: { type: 'text', content: 'hi' },
        clientMsgId: 'again',
      });
      expect(res.statusCode).toBe(200);
      expect(res.json).toEqual({ msgId: '3147483650', clientMsgId: 'again', duplicate: true });
    });

    it('turns 45065 without the earlier msg_id into a 409 duplicate, not a 200 carrying an error', async () => {
      api.serveToken();
      api.serve(SENDALL, '{"errcode":45065,"errmsg":"clientmsgid exist"}');
      api.serve(SENDALL, '{"errcode":45065,"errmsg":"clientmsgid exist","msg_id":3147483650}');
      const body = { audience: { all: true }, message: { type: 'text', content: 'hi' }, clientMsgId: 'no-id' };
      const res = await send(body);
      expect(res.statusCode).toBe(409);
      expect(res.json.error).toMatchObject({ code: 'duplicate', errcode: 45065, clientMsgId: 'no-id' });
      expect(res.json.error.fields).toEqual([{ path: 'clientMsgId', reason: expect.stringContaining('45065') }]);
      // Nothing was recorded: a retry asks WeChat again, which names the msg_id this time.
      const retry = await send(body);
      expect(retry.json).toEqual({ msgId: '3147483650', clientMsgId: 'no-id', duplicate: true });
    });

    it('answers a retry from the store without calling WeChat again', async () => {
      api.serveToken();
      api.serve(SENDALL, OK);
      const body = { audience: { all: true }, message: { type: 'text', content: 'hi' }, clientMsgId: 'once' };
      const first = await send(body);
      const second = await send(body);
      expect(first.json).toEqual({ msgId: '34182', msgDataId: '206227730', clientMsgId: 'once' });
      expect(second.statusCode).toBe(200);
      expect(second.json).toEqual({ ...first.json, duplicate: true });
      expect(api.calls).toHaveLength(1);
    });

    it('answers 409 while the same clientMsgId is being sent, and calls WeChat once', async () => {
      api.serveToken();
      api.serve(SENDALL, OK, { delayMs: 50 });
      const body = { audience: { all: true }, message: { type: 'text', content: 'hi' }, clientMsgId: 'concurrent' };
      const [a, b] = await Promise.all([send(body), send(body)]);
      expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409]);
      const conflict = a.statusCode === 409 ? a : b;
      expect(conflict.json.error).toMatchObject({ code: 'send_in_progress', clientMsgId: 'concurrent' });
      expect(conflict.headers['retry-after']).toBe('5');
      expect(api.calls).toHaveLength(1);
    });

    it('refuses a clientMsgId reused for another message with 422', async () => {
      api.serveToken();
      api.serve(SENDALL, OK);
      await send({ audience: { all: true }, message: { type: 'text', content: 'one' }, clientMsgId: 'reuse' });
      const res = await send({
        audience: { all: true },
        message: { type: 'text', content: 'two' },
        clientMsgId: 'reuse',
      });
      expect(res.statusCode).toBe(422);
      expect(res.json.error.fields).toEqual([{ path: 'clientMsgId', reason: 'already used for a different request' }]);
      expect(api.calls).toHaveLength(1);
    });

    it('releases the clientMsgId after a definite WeChat error so a retry sends', async () => {
      api.serveToken();
      api.serve(SENDALL, '{"errcode":45011,"errmsg":"api minute-quota reach limit mustslower retry next minute"}');
      api.serve(SENDALL, OK);
      const body = { audience: { all: true }, message: { type: 'text', content: 'hi' }, clientMsgId: 'retry-me' };
      expect((await send(body)).statusCode).toBe(429);
      const res = await send(body);
      expect(res.statusCode).toBe(200);
      expect(res.json).toEqual({ msgId: '34182', msgDataId: '206227730', clientMsgId: 'retry-me' });
      expect(api.calls).toHaveLength(2);
    });

    it('answers 504 after a timeout, and the retry learns the msg_id from 45065', async () => {
      api.serveToken();
      api.serve(SENDALL, OK, { delayMs: 1_500 });
      api.serve(SENDALL, '{"errcode":45065,"errmsg":"clientmsgid exist","msg_id":34182}');
      const body = { audience: { all: true }, message: { type: 'text', content: 'hi' }, clientMsgId: 'slow' };
      const first = await send(body);
      expect(first.statusCode).toBe(504);
      expect(first.json.error).toMatchObject({ code: 'outcome_unknown', clientMsgId: 'slow' });
      expect(first.json.error.message).toMatch(/may have been sent.*same clientMsgId/);
      const retry = await send(body);
      expect(retry.statusCode).toBe(200);
      expect(retry.json).toEqual({ msgId: '34182', clientMsgId: 'slow', duplicate: true });
      // The timed-out call consumed its interceptor without being recorded; the retry carried the same id.
      expect(api.calls.map((c) => (c.json as { clientmsgid: string }).clientmsgid)).toEqual(['slow']);
    });

    it('answers 502 outcome_unknown when WeChat answers HTTP 500, keeping the clientMsgId for a retry', async () => {
      api.serveToken();
      api.serve(SENDALL, 'Internal Server Error', { status: 500 });
      const res = await send({
        audience: { all: true },
        message: { type: 'text', content: 'hi' },
        clientMsgId: 'http-500',
      });
      expect(res.statusCode).toBe(502);
      expect(res.json.error).toMatchObject({ code: 'outcome_unknown', clientMsgId: 'http-500' });
    });
  });

  describe('WeChat errors', () => {
    const body = { audience: { tagId: 100 }, message: { type: 'mpnews', mediaId: 'news-1' }, clientMsgId: 'err' };

    it('45066 → 429 with Retry-After: 60, and the same clientMsgId may be retried', async () => {
      api.serveToken();
      api.serve(SENDALL, '{"errcode":45066,"errmsg":"clientmsgid retry too fast"}');
      api.serve(SENDALL, '{"errcode":45065,"errmsg":"clientmsgid exist","msg_id":777}');
      const res = await send(body);
      expect(res.statusCode).toBe(429);
      expect(res.headers['retry-after']).toBe('60');
      expect(res.json.error).toMatchObject({ code: 'clientmsgid_retry_too_fast', clientMsgId: 'err' });
      const retry = await send(body);
      expect(retry.json).toEqual({ msgId: '777', clientMsgId: 'err', duplicate: true });
    });

    it('40007 on an image send names message.mediaIds', async () => {
      api.serveToken();
      api.serve(SENDALL, '{"errcode":40007,"errmsg":"invalid media_id"}');
      const res = await send({ ...body, message: { type: 'image', mediaIds: ['x'] } });
      expect(res.json.error.fields[0].path).toBe('message.mediaIds');
    });

    const awaiting = Object.entries(SEND_OUTCOMES).filter(([, rule]) => rule.kind === 'awaiting_confirmation');
    for (const errcode of awaiting.map(([code]) => Number(code))) {
      it(`${errcode} → 202 naming the call to make; a retry asks again, gets the msgId once confirmed`, async () => {
        api.serveToken();
        api.serve(SENDALL, `{"errcode":${errcode},"errmsg":"waiting for admin confirmation"}`);
        const res = await send(body);
        expect(res.statusCode).toBe(202);
        expect(res.json).toEqual({
          status: 'awaiting_confirmation',
          clientMsgId: 'err',
          errcode,
          message: expect.stringContaining('GET /status?clientMsgId=err'),
        });
        expect(res.json.message).toContain('Repeat this request with clientMsgId "err"');

        api.serve(SENDALL, '{"errcode":89505,"errmsg":"waiting for admin confirmation"}');
        expect((await send(body)).statusCode).toBe(202);
        api.serve(SENDALL, '{"errcode":45065,"errmsg":"clientmsgid exist","msg_id":3147483999}');
        const confirmed = await send(body);
        expect(confirmed.statusCode).toBe(200);
        expect(confirmed.json).toEqual({ msgId: '3147483999', clientMsgId: 'err', duplicate: true });
        expect(api.calls.map((c) => (c.json as { clientmsgid: string }).clientmsgid)).toEqual(['err', 'err', 'err']);
        // Sent now: the record answers without WeChat.
        expect((await send(body)).json).toMatchObject({ msgId: '3147483999', duplicate: true });
        expect(api.calls).toHaveLength(3);
      });
    }

    it('an unknown errcode → 502 carrying errcode and errmsg', async () => {
      api.serveToken();
      api.serve(SENDALL, '{"errcode":61451,"errmsg":"invalid parameter"}');
      const res = await send(body);
      expect(res.statusCode).toBe(502);
      expect(res.json.error).toMatchObject({
        code: 'wechat_error',
        errcode: 61451,
        errmsg: 'invalid parameter',
        clientMsgId: 'err',
        requestId: 'scf-request-1',
      });
    });

    it('a token rejected again after the one retry → 502', async () => {
      api.serveToken('TOKEN_FIRST_aaaaaaaaaa');
      api.serve(SENDALL, '{"errcode":40001,"errmsg":"invalid credential"}');
      api.serveToken('TOKEN_SECOND_bbbbbbbbb');
      api.serve(SENDALL, '{"errcode":42001,"errmsg":"access_token expired"}');
      const res = await send(body);
      expect(res.statusCode).toBe(502);
      expect(res.json.error).toMatchObject({ code: 'wechat_token_rejected', errcode: 42001 });
      expect(api.calls.map((c) => c.accessToken)).toEqual(['TOKEN_FIRST_aaaaaaaaaa', 'TOKEN_SECOND_bbbbbbbbb']);
      expect(res.body).not.toContain('TOKEN_');
    });

    it('a wrong AppSecret (40125 on the token call) → 502 and nothing sent', async () => {
      api.serve('/cgi-bin/stable_token', '{"errcode":40125,"errmsg":"invalid appsecret"}');
      const res = await send(body);
      expect(res.statusCode).toBe(502);
      expect(res.json.error.code).toBe('wechat_token_unavailable');
      expect(api.calls.map((c) => c.path)).toEqual(['/cgi-bin/stable_token']);
    });
  });

  describe('validation', () => {
    const valid = { audience: { all: true }, message: { type: 'text', content: 'hi' } };
    const fieldsOf = async (body: unknown) => {
      const res = await api.invoke({ path: '/send-by-tag', body: body as object, apiKey: API_KEY });
      expect(res.statusCode).toBe(400);
      expect(res.json.error.code).toBe('invalid_request');
      return (res.json.error.fields as Array<{ path: string }>).map((f) => f.path);
    };

    it('names a missing audience and message', async () => {
      expect(await fieldsOf({})).toEqual(['audience', 'message']);
    });
    it('names an audience that is neither all nor a tag', async () => {
      expect(await fieldsOf({ ...valid, audience: { all: false } })).toEqual(['audience.all']);
      expect(await fieldsOf({ ...valid, audience: { tagId: 1.5 } })).toEqual(['audience.tagId']);
      expect(await fieldsOf({ ...valid, audience: { tagId: '2' } })).toEqual(['audience.tagId']);
    });
    it('names an unknown message type', async () => {
      expect(await fieldsOf({ ...valid, message: { type: 'video', mediaId: 'x' } })).toEqual(['message.type']);
    });
    it("names a message type's missing or empty fields", async () => {
      expect(await fieldsOf({ ...valid, message: { type: 'text', content: '' } })).toEqual(['message.content']);
      expect(await fieldsOf({ ...valid, message: { type: 'mpnews' } })).toEqual(['message.mediaId']);
      expect(await fieldsOf({ ...valid, message: { type: 'image', mediaIds: [] } })).toEqual(['message.mediaIds']);
      expect(await fieldsOf({ ...valid, message: { type: 'image', mediaIds: ['ok', ''] } })).toEqual([
        'message.mediaIds[1]',
      ]);
      expect(await fieldsOf({ ...valid, message: { type: 'mpnews', mediaId: 'm', sendIgnoreReprint: 1 } })).toEqual([
        'message.sendIgnoreReprint',
      ]);
      expect(await fieldsOf({ ...valid, message: { type: 'wxcard' } })).toEqual(['message.cardId']);
    });
    it('names a clientMsgId longer than 64 bytes, counting UTF-8 bytes', async () => {
      expect(await fieldsOf({ ...valid, clientMsgId: 'x'.repeat(65) })).toEqual(['clientMsgId']);
      expect(await fieldsOf({ ...valid, clientMsgId: '群'.repeat(22) })).toEqual(['clientMsgId']);
    });
    it('rejects unknown fields at every level', async () => {
      expect(await fieldsOf({ ...valid, clientMsgID: 'typo' })).toEqual(['clientMsgID']);
      expect(await fieldsOf({ ...valid, message: { type: 'text', content: 'hi', contnet: 'x' } })).toEqual([
        'message.contnet',
      ]);
      expect(await fieldsOf({ ...valid, message: { type: 'text', content: 'hi', mediaId: 'x' } })).toEqual([
        'message.mediaId',
      ]);
    });
    it('names every offending field at once', async () => {
      expect(await fieldsOf({ audience: { tagId: -1 }, message: { type: 'voice' }, clientMsgId: '' })).toEqual([
        'audience.tagId',
        'message.mediaId',
        'clientMsgId',
      ]);
    });
    it('rejects a body that is not an object', async () => {
      expect(await fieldsOf([valid])).toEqual(['(body)']);
    });
    it('answers 400 invalid_json for a body that is not JSON', async () => {
      const res = await api.invoke({
        path: '/send-by-tag',
        body: '{"audience":',
        headers: { 'content-type': 'application/json' },
        apiKey: API_KEY,
      });
      expect(res.statusCode).toBe(400);
      expect(res.json.error.code).toBe('invalid_json');
    });
    it('answers 415 for a body that is not declared JSON', async () => {
      const res = await api.invoke({
        path: '/send-by-tag',
        body: 'audience=all',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        apiKey: API_KEY,
      });
      expect(res.statusCode).toBe(415);
      expect(res.json.error.fields[0].path).toBe('(header) content-type');
    });
    it('answers 405 with Allow for GET', async () => {
      const res = await api.invoke({ method: 'GET', path: '/send-by-tag', apiKey: API_KEY });
      expect(res.statusCode).toBe(405);
      expect(res.headers.allow).toBe('POST');
    });
  });

  describe('authentication', () => {
    const body = { audience: { all: true }, message: { type: 'text', content: 'hi' } };

    it('answers 401 without an Authorization header and calls nothing', async () => {
      const res = await api.invoke({ path: '/send-by-tag', body });
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(api.calls).toEqual([]);
    });
    it('answers 401 for a wrong key', async () => {
      const res = await api.invoke({ path: '/send-by-tag', body, apiKey: 'not-the-key-000000' });
      expect(res.statusCode).toBe(401);
      expect(res.json.error.code).toBe('unauthorized');
    });
    it('answers 401 for a non-Bearer scheme', async () => {
      const res = await api.invoke({ path: '/send-by-tag', body, headers: { authorization: `Basic ${API_KEY}` } });
      expect(res.statusCode).toBe(401);
    });
    it('accepts the previous key during a rotation', async () => {
      api.serveToken();
      api.serve(SENDALL, OK);
      const res = await api.invoke({ path: '/send-by-tag', body, apiKey: API_KEY_PREVIOUS });
      expect(res.statusCode).toBe(200);
    });
    it('authenticates before checking the method', async () => {
      const res = await api.invoke({ method: 'DELETE', path: '/send-by-tag' });
      expect(res.statusCode).toBe(401);
    });
  });

  it('keeps the AppSecret, the access token and the API key out of every log line and response', async () => {
    api.serveToken();
    api.serve(SENDALL, OK);
    api.serve(SENDALL, '{"errcode":61451,"errmsg":"invalid parameter"}');
    await send({ audience: { all: true }, message: { type: 'text', content: 'hi' }, clientMsgId: 'a' });
    await send({ audience: { all: true }, message: { type: 'text', content: 'hi' }, clientMsgId: 'b' });
    await api.invoke({ path: '/send-by-tag', body: {}, apiKey: API_KEY });
    await api.invoke({ path: '/send-by-tag', body: {}, apiKey: `${API_KEY}-wrong` });
    const transcript = api.transcript();
    expect(api.logs.lines.length).toBeGreaterThan(3);
    for (const secret of [APP_SECRET, ACCESS_TOKEN, API_KEY]) expect(transcript).not.toContain(secret);
  });
});

describe('POST /send-by-tag without API keys', () => {
  it('answers 503 not_configured and never opens the API', async () => {
    const api = createApiHarness(sendByTagRoutes, { API_KEYS: '' });
    const res = await api.invoke({
      path: '/send-by-tag',
      body: { audience: { all: true }, message: { type: 'text', content: 'hi' } },
      apiKey: API_KEY,
    });
    expect(res.statusCode).toBe(503);
    expect(res.json.error.code).toBe('not_configured');
    expect(api.calls).toEqual([]);
    await api.close();
  });
});

describe('POST /send-by-tag with input JSON.parse lets through', () => {
  let api: ApiHarness;
  beforeEach(() => {
    api = createApiHarness(sendByTagRoutes);
  });
  afterEach(() => api.close());
  const send = (body: object) => api.invoke({ path: '/send-by-tag', body, apiKey: API_KEY });
  const raw = (text: string) => api.invoke({ path: '/send-by-tag', body: text, apiKey: API_KEY });

  it('refuses a repeated key with 400 naming it: one reader would see a tag send, another a send to all', async () => {
    const res = await raw('{"audience":{"tagId":100},"audience":{"all":true},"message":{"type":"text","content":"x"}}');
    expect(res.statusCode).toBe(400);
    expect(res.json.error.fields).toEqual([{ path: 'audience', reason: expect.stringMatching(/more than once/) }]);
    expect(api.calls).toHaveLength(0);
  });

  it('refuses a clientMsgId with a lone surrogate with 400 naming it (a store would write it as U+FFFD)', async () => {
    const res = await send({
      audience: { all: true },
      message: { type: 'text', content: 'x' },
      clientMsgId: 'id-\ud800',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json.error.fields).toEqual([{ path: 'clientMsgId', reason: expect.stringMatching(/surrogate/) }]);
    expect(api.calls).toHaveLength(0);
  });
});
