import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sendByListRoutes } from '../../shared/api/routes/send-by-list';
import { ACCESS_TOKEN, API_KEY, APP_SECRET, createApiHarness, type ApiHarness } from '../support/api-harness';

const SEND = '/cgi-bin/message/mass/send';
const OK = '{"errcode":0,"errmsg":"send job submission success","msg_id":3147483651,"msg_data_id":2247483647}';

// Real OpenIDs are 28 characters of [A-Za-z0-9_-].
const openId = (n: number) => `oR5Gjjl_eiZoUpGozMo7dbBJ${String(n).padStart(4, '0')}`;

describe('POST /send-by-list', () => {
  let api: ApiHarness;
  beforeEach(() => {
    api = createApiHarness(sendByListRoutes);
  });
  afterEach(() => api.close());

  const send = (body: object, headers: Record<string, string> = {}) =>
    api.invoke({ path: '/send-by-list', body, apiKey: API_KEY, headers });

  it('sends touser with the message and clientmsgid, exactly', async () => {
    api.serveToken();
    api.serve(SEND, OK);
    const res = await send({
      openIds: [openId(1), openId(2)],
      message: { type: 'mpvideo', mediaId: 'video-9', title: '标题' },
      clientMsgId: 'list-1',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json).toEqual({ msgId: '3147483651', msgDataId: '2247483647', clientMsgId: 'list-1' });
    expect(api.calls).toEqual([
      {
        path: SEND,
        accessToken: ACCESS_TOKEN,
        raw: expect.any(String),
        json: {
          touser: [openId(1), openId(2)],
          msgtype: 'mpvideo',
          mpvideo: { media_id: 'video-9', title: '标题' },
          clientmsgid: 'list-1',
        },
      },
    ]);
  });

  it('sends images under images to a list', async () => {
    api.serveToken();
    api.serve(SEND, OK);
    await send({
      openIds: [openId(1), openId(2)],
      message: { type: 'image', mediaIds: ['a', 'b'] },
      clientMsgId: 'img',
    });
    expect(api.calls[0]!.json).toEqual({
      touser: [openId(1), openId(2)],
      msgtype: 'image',
      images: { media_ids: ['a', 'b'] },
      clientmsgid: 'img',
    });
  });

  it('removes duplicate OpenIDs and sorts them (WeChat ignores the order)', async () => {
    api.serveToken();
    api.serve(SEND, OK);
    await send({
      openIds: [openId(2), openId(1), openId(2), openId(1), openId(3)],
      message: { type: 'text', content: 'x' },
      clientMsgId: 'dedup',
    });
    expect((api.calls[0]!.json as { touser: string[] }).touser).toEqual([openId(1), openId(2), openId(3)]);
  });

  it('accepts exactly 10,000 distinct OpenIDs, even with duplicates on top', async () => {
    api.serveToken();
    api.serve(SEND, OK);
    const ids = Array.from({ length: 10_000 }, (_, i) => openId(i));
    const res = await send({ openIds: [...ids, ids[0], ids[1]], message: { type: 'text', content: 'x' } });
    expect(res.statusCode).toBe(200);
    expect((api.calls[0]!.json as { touser: string[] }).touser).toHaveLength(10_000);
  });

  it('makes a job of over 10,000 distinct OpenIDs: 202 with its jobId and batches, WeChat not called yet', async () => {
    const ids = Array.from({ length: 25_001 }, (_, i) => `oR5Gjjl_eiZoUpGozMo7d${String(i).padStart(7, '0')}`);
    const body = {
      openIds: [...ids, ...ids.slice(0, 100)],
      message: { type: 'text', content: 'x' },
      clientMsgId: 'big-1',
    };
    const res = await send(body);
    expect(res.statusCode).toBe(202);
    expect(res.json).toMatchObject({ clientMsgId: 'big-1', state: 'running', batches: 3, openIds: 25_001 });
    expect(res.json.jobId).toMatch(/^job_/);
    // The same request again finds the same job.
    expect((await send(body)).json).toEqual(res.json);
    expect(api.calls).toEqual([]);
  });

  it('makes a job of a list with a sendAt, and refuses a sendAt in the past or without an offset', async () => {
    const sendAt = new Date(Date.now() + 3_600_000).toISOString();
    const res = await send({ openIds: [openId(1), openId(2)], message: { type: 'text', content: 'x' }, sendAt });
    expect(res.statusCode).toBe(202);
    expect(res.json).toMatchObject({ state: 'scheduled', batches: 1, sendAt });
    const past = await send({
      openIds: [openId(1), openId(2)],
      message: { type: 'text', content: 'x' },
      sendAt: '2020-01-01T00:00:00Z',
    });
    expect(past.statusCode).toBe(400);
    expect(past.json.error.fields).toEqual([{ path: 'sendAt', reason: 'is in the past' }]);
    const local = await send({
      openIds: [openId(1), openId(2)],
      message: { type: 'text', content: 'x' },
      sendAt: '2030-01-01T08:00:00',
    });
    expect(local.statusCode).toBe(400);
    expect(local.json.error.fields[0].path).toBe('sendAt');
    expect(api.calls).toEqual([]);
  });

  it('answers 400 when fewer than 2 distinct OpenIDs remain', async () => {
    const res = await send({ openIds: [openId(1), openId(1)], message: { type: 'text', content: 'x' } });
    expect(res.statusCode).toBe(400);
    expect(res.json.error.fields).toEqual([{ path: 'openIds', reason: 'must hold at least 2 distinct OpenIDs' }]);
  });

  it('names every malformed OpenID by its index', async () => {
    const res = await send({ openIds: [openId(1), 'bad id', '', openId(2)], message: { type: 'text', content: 'x' } });
    expect(res.statusCode).toBe(400);
    expect(res.json.error.fields.map((f: { path: string }) => f.path)).toEqual(['openIds[1]', 'openIds[2]']);
  });

  it('names a list that is too short or not a list', async () => {
    const short = await send({ openIds: [openId(1)], message: { type: 'text', content: 'x' } });
    expect(short.json.error.fields).toEqual([
      {
        path: 'openIds',
        reason: 'must hold at least 2 OpenIDs (WeChat sends a list of 2 or more); for one person use /preview',
      },
    ]);
    const notList = await send({ openIds: openId(1), message: { type: 'text', content: 'x' } });
    expect(notList.json.error.fields.map((f: { path: string }) => f.path)).toEqual(['openIds']);
  });

  it('rejects an audience field that belongs to send-by-tag', async () => {
    const res = await send({
      openIds: [openId(1), openId(2)],
      audience: { all: true },
      message: { type: 'text', content: 'x' },
    });
    expect(res.json.error.fields).toEqual([{ path: 'audience', reason: 'unknown field' }]);
  });

  it('45065 → 200 duplicate with the earlier msg_id, exact past 2^53', async () => {
    api.serveToken();
    api.serve(SEND, '{"errcode":45065,"errmsg":"clientmsgid exist","msg_id":9007199254740993}');
    const res = await send({
      openIds: [openId(1), openId(2)],
      message: { type: 'text', content: 'x' },
      clientMsgId: 'dup',
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('"msgId":"9007199254740993"');
    expect(res.json.duplicate).toBe(true);
  });

  it('keeps secrets out of logs and responses', async () => {
    api.serveToken();
    api.serve(SEND, '{"errcode":40003,"errmsg":"invalid openid"}');
    await send({ openIds: [openId(1), openId(2)], message: { type: 'text', content: 'x' } });
    for (const secret of [APP_SECRET, ACCESS_TOKEN, API_KEY]) expect(api.transcript()).not.toContain(secret);
  });
});
