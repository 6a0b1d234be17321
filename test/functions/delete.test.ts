import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deleteRoutes } from '../../shared/api/routes/delete';
import { API_KEY, createApiHarness, type ApiHarness } from '../support/api-harness';

const DELETE = '/cgi-bin/message/mass/delete';

describe('POST /delete', () => {
  let api: ApiHarness;
  beforeEach(() => {
    api = createApiHarness(deleteRoutes);
  });
  afterEach(() => api.close());

  const remove = (body: object) => api.invoke({ path: '/delete', body, apiKey: API_KEY });

  it('sends msg_id as a bare JSON number, exact past 2^53, with article_idx', async () => {
    api.serveToken();
    api.serve(DELETE, '{"errcode":0,"errmsg":"ok"}');
    const res = await remove({ msgId: '9007199254740993', articleIdx: 2 });
    expect(res.statusCode).toBe(200);
    expect(res.json).toEqual({ deleted: true });
    expect(api.calls[0]!.raw).toBe('{"msg_id":9007199254740993,"article_idx":2}');
  });

  it('leaves article_idx out to delete every article', async () => {
    api.serveToken();
    api.serve(DELETE, '{"errcode":0,"errmsg":"ok"}');
    await remove({ msgId: '30124' });
    expect(api.calls[0]!.raw).toBe('{"msg_id":30124}');
  });

  it('deletes by article URL', async () => {
    api.serveToken();
    api.serve(DELETE, '{"errcode":0,"errmsg":"ok"}');
    await remove({ url: 'https://mp.weixin.qq.com/s/abc' });
    expect(api.calls[0]!.json).toEqual({ url: 'https://mp.weixin.qq.com/s/abc' });
  });

  it('rejects a numeric msgId, which JSON would round past 2^53', async () => {
    const res = await remove({ msgId: 30124 });
    expect(res.statusCode).toBe(400);
    expect(res.json.error.fields.map((f: { path: string }) => f.path)).toEqual(['msgId']);
  });

  it('refuses a 20-digit msgId past 2^64 − 1 with 400 naming msgId, without calling WeChat', async () => {
    for (const msgId of ['18446744073709551616', '99999999999999999999']) {
      const res = await remove({ msgId });
      expect(res.statusCode).toBe(400);
      expect(res.json.error.fields.map((f: { path: string }) => f.path)).toEqual(['msgId']);
    }
    expect(api.calls).toHaveLength(0);
  });

  it('names a bad articleIdx and a bad url', async () => {
    const idx = await remove({ msgId: '1', articleIdx: 9 });
    expect(idx.json.error.fields.map((f: { path: string }) => f.path)).toEqual(['articleIdx']);
    const url = await remove({ url: 'not a url' });
    expect(url.json.error.fields.map((f: { path: string }) => f.path)).toEqual(['url']);
  });

  it('rejects msgId and url together', async () => {
    const res = await remove({ msgId: '1', url: 'https://mp.weixin.qq.com/s/abc' });
    expect(res.statusCode).toBe(400);
    expect(res.json.error.fields).toEqual([{ path: 'url', reason: 'unknown field' }]);
  });

  it('answers 405 for GET', async () => {
    const res = await api.invoke({ method: 'GET', path: '/delete', apiKey: API_KEY });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('POST');
  });
});
