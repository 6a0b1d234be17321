import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { previewRoutes } from '../../shared/api/routes/preview';
import { ACCESS_TOKEN, API_KEY, createApiHarness, type ApiHarness } from '../support/api-harness';

const PREVIEW = '/cgi-bin/message/mass/preview';
const OPEN_ID = 'oR5Gjjl_eiZoUpGozMo7dbBJ0001';

describe('POST /preview', () => {
  let api: ApiHarness;
  beforeEach(() => {
    api = createApiHarness(previewRoutes);
  });
  afterEach(() => api.close());

  const preview = (body: object) => api.invoke({ path: '/preview', body, apiKey: API_KEY });

  const cases: Array<[string, object, object]> = [
    ['text', { type: 'text', content: '预览' }, { msgtype: 'text', text: { content: '预览' } }],
    ['mpnews', { type: 'mpnews', mediaId: 'news-1' }, { msgtype: 'mpnews', mpnews: { media_id: 'news-1' } }],
    [
      'a single image under image',
      { type: 'image', mediaId: 'img-1' },
      { msgtype: 'image', image: { media_id: 'img-1' } },
    ],
    ['voice', { type: 'voice', mediaId: 'voice-1' }, { msgtype: 'voice', voice: { media_id: 'voice-1' } }],
    ['mpvideo', { type: 'mpvideo', mediaId: 'video-1' }, { msgtype: 'mpvideo', mpvideo: { media_id: 'video-1' } }],
    [
      'wxcard',
      { type: 'wxcard', cardId: 'card-1', cardExt: '{"code":""}' },
      { msgtype: 'wxcard', wxcard: { card_id: 'card-1', card_ext: '{"code":""}' } },
    ],
  ];
  for (const [name, message, wechat] of cases) {
    it(`previews ${name} to an OpenID`, async () => {
      api.serveToken();
      api.serve(PREVIEW, '{"errcode":0,"errmsg":"preview success","msg_id":34182}');
      const res = await preview({ openId: OPEN_ID, message });
      expect(res.statusCode).toBe(200);
      expect(res.json).toEqual({ msgId: '34182' });
      expect(api.calls).toEqual([
        { path: PREVIEW, accessToken: ACCESS_TOKEN, raw: expect.any(String), json: { touser: OPEN_ID, ...wechat } },
      ]);
    });
  }

  it('previews to a WeChat ID as towxname', async () => {
    api.serveToken();
    api.serve(PREVIEW, '{"errcode":0,"errmsg":"preview success"}');
    const res = await preview({ wechatId: 'zhang_san', message: { type: 'text', content: 'x' } });
    expect(res.statusCode).toBe(200);
    expect(res.json).toEqual({});
    expect(api.calls[0]!.json).toEqual({ towxname: 'zhang_san', msgtype: 'text', text: { content: 'x' } });
  });

  it('rejects the multi-image form, which preview does not take', async () => {
    const res = await preview({ openId: OPEN_ID, message: { type: 'image', mediaIds: ['a'] } });
    expect(res.statusCode).toBe(400);
    expect(res.json.error.fields.map((f: { path: string }) => f.path)).toEqual(['message.mediaId', 'message.mediaIds']);
  });

  it('rejects both openId and wechatId (WeChat would silently prefer the WeChat ID)', async () => {
    const res = await preview({ openId: OPEN_ID, wechatId: 'zhang_san', message: { type: 'text', content: 'x' } });
    expect(res.statusCode).toBe(400);
    expect(res.json.error.fields).toEqual([
      { path: '(body)', reason: 'preview needs exactly one of openId or wechatId' },
    ]);
  });

  it('says a recipient is needed when neither is given', async () => {
    const res = await preview({ message: { type: 'text', content: 'x' } });
    expect(res.statusCode).toBe(400);
    expect(res.json.error.fields).toEqual([
      { path: '(body)', reason: 'preview needs exactly one of openId or wechatId' },
    ]);
  });

  it('40007 on an image preview names message.mediaId', async () => {
    api.serveToken();
    api.serve(PREVIEW, '{"errcode":40007,"errmsg":"invalid media_id"}');
    const res = await preview({ openId: OPEN_ID, message: { type: 'image', mediaId: 'gone' } });
    expect(res.json.error.fields[0].path).toBe('message.mediaId');
  });

  it('answers 504 when WeChat times out', async () => {
    api.serveToken();
    api.serve(PREVIEW, '{"errcode":0}', { delayMs: 1_500 });
    const res = await preview({ openId: OPEN_ID, message: { type: 'text', content: 'x' } });
    expect(res.statusCode).toBe(504);
    expect(res.json.error.code).toBe('wechat_timeout');
  });

  it('answers 401 without a key and calls nothing', async () => {
    const res = await api.invoke({
      path: '/preview',
      body: { openId: OPEN_ID, message: { type: 'text', content: 'x' } },
    });
    expect(res.statusCode).toBe(401);
    expect(api.calls).toEqual([]);
  });
});
