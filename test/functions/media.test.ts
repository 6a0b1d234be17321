import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mediaRoutes } from '../../shared/api/routes/media';
import { API_KEY, createApiHarness, type ApiHarness } from '../support/api-harness';

const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
const JPEG = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46]);

const ARTICLE = { thumbMediaId: 'thumb-1', title: '标题', content: '<p>正文</p>' };

describe('POST /media/*', () => {
  let api: ApiHarness;
  beforeEach(() => {
    api = createApiHarness(mediaRoutes);
  });
  afterEach(() => api.close());

  describe('/media/news', () => {
    it('uploads articles with every field translated', async () => {
      api.serveToken();
      api.serve(
        '/cgi-bin/media/uploadnews',
        '{"type":"news","media_id":"CsEf3ldqkAYJAU6EJeIkStVDSvffUJ54vqbThMgplD-VJXXof6ctX5fI6-aYyUiQ",' +
          '"created_at":1391857799}',
      );
      const res = await api.invoke({
        path: '/media/news',
        apiKey: API_KEY,
        body: {
          articles: [
            {
              ...ARTICLE,
              author: 'xxx',
              contentSourceUrl: 'https://example.com',
              digest: 'd',
              showCoverPic: true,
              needOpenComment: false,
              onlyFansCanComment: true,
            },
            ARTICLE,
          ],
        },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json).toEqual({
        mediaId: 'CsEf3ldqkAYJAU6EJeIkStVDSvffUJ54vqbThMgplD-VJXXof6ctX5fI6-aYyUiQ',
        createdAt: 1391857799,
      });
      expect(api.calls[0]!.json).toEqual({
        articles: [
          {
            thumb_media_id: 'thumb-1',
            author: 'xxx',
            title: '标题',
            content_source_url: 'https://example.com',
            content: '<p>正文</p>',
            digest: 'd',
            show_cover_pic: 1,
            need_open_comment: 0,
            only_fans_can_comment: 1,
          },
          { thumb_media_id: 'thumb-1', title: '标题', content: '<p>正文</p>' },
        ],
      });
    });

    it('names a ninth article and the missing fields of an article', async () => {
      const nine = await api.invoke({
        path: '/media/news',
        apiKey: API_KEY,
        body: { articles: Array(9).fill(ARTICLE) },
      });
      expect(nine.statusCode).toBe(400);
      expect(nine.json.error.fields).toEqual([{ path: 'articles', reason: 'must hold at most 8 articles' }]);
      const missing = await api.invoke({
        path: '/media/news',
        apiKey: API_KEY,
        body: { articles: [{ title: 't', thumb_media_id: 'x' }] },
      });
      expect(missing.json.error.fields.map((f: { path: string }) => f.path)).toEqual([
        'articles[0].thumbMediaId',
        'articles[0].content',
        'articles[0].thumb_media_id',
      ]);
    });
  });

  describe('/media/video', () => {
    it('converts a video media_id for mass sending', async () => {
      api.serveToken();
      api.serve(
        '/cgi-bin/media/uploadvideo',
        '{"type":"video","media_id":"IhdaAQXuvJtGzwwc0abfXnzeezfO0NgPK6AQYShD8RQYMTtfzbLdBIQkQziv2XJc",' +
          '"created_at":1398848981}',
      );
      const res = await api.invoke({
        path: '/media/video',
        apiKey: API_KEY,
        body: {
          mediaId: 'rF4UdIMfYK3efUfyoddYRMU50zMiRmmt_l0kszupYh_SzrcW5Gaheq05p_lHuOTQ',
          title: 'TITLE',
          description: 'Description',
        },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json.mediaId).toBe('IhdaAQXuvJtGzwwc0abfXnzeezfO0NgPK6AQYShD8RQYMTtfzbLdBIQkQziv2XJc');
      expect(api.calls[0]!.json).toEqual({
        media_id: 'rF4UdIMfYK3efUfyoddYRMU50zMiRmmt_l0kszupYh_SzrcW5Gaheq05p_lHuOTQ',
        title: 'TITLE',
        description: 'Description',
      });
    });

    it('sends empty title and description when none are given', async () => {
      api.serveToken();
      api.serve('/cgi-bin/media/uploadvideo', '{"type":"video","media_id":"new","created_at":1}');
      await api.invoke({ path: '/media/video', apiKey: API_KEY, body: { mediaId: 'orig' } });
      expect(api.calls[0]!.json).toEqual({ media_id: 'orig', title: '', description: '' });
    });
  });

  describe('/media/image', () => {
    it('uploads a base64 PNG body as multipart media and answers the URL', async () => {
      api.serveToken();
      api.serve(
        '/cgi-bin/media/uploadimg',
        '{"url":"http://mmbiz.qpic.cn/mmbiz/gLO17UPS6FS2xsypf378iaNhWacZ1G1UplZYWEYfwvuU6Ont96b1roYs ' +
          'CNFwaRrSaKTPCUdBK9DgEHicsKwWCBRQ/0"}',
      );
      const res = await api.invoke({
        path: '/media/image',
        apiKey: API_KEY,
        binary: PNG,
        headers: { 'content-type': 'image/png' },
        query: { filename: 'cover photo.png' },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json.url).toMatch(/^http:\/\/mmbiz\.qpic\.cn\//);
      expect(api.calls[0]!.path).toBe('/cgi-bin/media/uploadimg');
      const media = (await api.calls[0]!.form)?.get('media') as File;
      expect(media.name).toBe('cover_photo.png');
      expect(media.type).toBe('image/png');
      expect(new Uint8Array(await media.arrayBuffer())).toEqual(PNG);
    });

    it('accepts a JPEG under a stage-prefixed path', async () => {
      api.serveToken();
      api.serve('/cgi-bin/media/uploadimg', '{"url":"http://mmbiz.qpic.cn/x/0"}');
      const res = await api.invoke({
        path: '/release/media/image/',
        apiKey: API_KEY,
        binary: JPEG,
        headers: { 'content-type': 'image/jpeg' },
      });
      expect(res.statusCode).toBe(200);
    });

    it('answers 415 for a body that is neither JPEG nor PNG', async () => {
      const res = await api.invoke({
        path: '/media/image',
        apiKey: API_KEY,
        binary: Uint8Array.from([0x47, 0x49, 0x46, 0x38, 0x39, 0x61]),
        headers: { 'content-type': 'image/gif' },
      });
      expect(res.statusCode).toBe(415);
      expect(res.json.error.fields).toEqual([{ path: '(body)', reason: 'is gif, expected jpeg, png' }]);
    });

    it('answers 413 for an image of 1 MB or more', async () => {
      const big = new Uint8Array(1024 * 1024);
      big.set(PNG);
      const res = await api.invoke({
        path: '/media/image',
        apiKey: API_KEY,
        binary: big,
        headers: { 'content-type': 'image/png' },
      });
      expect(res.statusCode).toBe(413);
    });

    it('answers 400 for an empty body', async () => {
      const res = await api.invoke({ path: '/media/image', apiKey: API_KEY, headers: { 'content-type': 'image/png' } });
      expect(res.statusCode).toBe(400);
    });
  });

  it('answers 404 for another suffix', async () => {
    const res = await api.invoke({ path: '/media/voice', apiKey: API_KEY, body: {} });
    expect(res.statusCode).toBe(404);
  });

  it('answers 405 for GET /media/news', async () => {
    const res = await api.invoke({ method: 'GET', path: '/media/news', apiKey: API_KEY });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('POST');
  });

  it('answers 401 before routing', async () => {
    const res = await api.invoke({ path: '/media/voice', body: {} });
    expect(res.statusCode).toBe(401);
  });
});
