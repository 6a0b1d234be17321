import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deleteRoutes } from '../../shared/api/routes/delete';
import { mediaRoutes } from '../../shared/api/routes/media';
import { previewRoutes } from '../../shared/api/routes/preview';
import { sendByListRoutes } from '../../shared/api/routes/send-by-list';
import { sendByTagRoutes } from '../../shared/api/routes/send-by-tag';
import { speedRoutes } from '../../shared/api/routes/speed';
import { statusRoutes } from '../../shared/api/routes/status';
import { DELETE_40059 } from '../../shared/api/delete';
import { SEND_MESSAGES } from '../../shared/api/mass-send';
import { type FieldRole, WECHAT_ERRORS } from '../../shared/api/wechat-errors';
import type { ApiEventOptions } from '../support/api-event';
import { API_KEY, type ApiHarness, createApiHarness } from '../support/api-harness';

/**
 * Every failure row of the errcode table, answered by WeChat to every route that POSTs to WeChat:
 * the caller gets the row's status, code, errcode and Retry-After, and the row's field role names
 * this route's own request path (or nothing, where the route has no such field). A new row is
 * tested here without a new test.
 */

const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);

interface RouteCase {
  name: string;
  routes: Parameters<typeof createApiHarness>[0];
  /** The WeChat endpoint the route calls. */
  wechatPath: string;
  request: ApiEventOptions;
  /** The request path each field role stands for on this route. */
  fields: Partial<Record<FieldRole, string>>;
  /** The route's own wording of an errcode, where it differs from the table's. */
  messages?: Readonly<Partial<Record<number, string>>>;
}

const messageFields = { content: 'message.content', title: 'message.title', digest: 'message.description' };

const mpnews = { type: 'mpnews', mediaId: 'news-1' };

const ROUTES: RouteCase[] = [
  {
    name: 'send-by-tag',
    routes: sendByTagRoutes,
    wechatPath: '/cgi-bin/message/mass/sendall',
    request: { path: '/send-by-tag', body: { audience: { tagId: 100 }, message: mpnews, clientMsgId: 'errcodes' } },
    fields: {
      tagId: 'audience.tagId',
      mediaId: 'message.mediaId',
      messageType: 'message.type',
      clientMsgId: 'clientMsgId',
      ...messageFields,
    },
    messages: SEND_MESSAGES,
  },
  {
    name: 'send-by-list',
    routes: sendByListRoutes,
    wechatPath: '/cgi-bin/message/mass/send',
    request: {
      path: '/send-by-list',
      body: { openIds: ['oOPENID_000001', 'oOPENID_000002'], message: mpnews, clientMsgId: 'errcodes' },
    },
    fields: {
      openId: 'openIds',
      openIds: 'openIds',
      mediaId: 'message.mediaId',
      messageType: 'message.type',
      clientMsgId: 'clientMsgId',
      ...messageFields,
    },
    messages: SEND_MESSAGES,
  },
  {
    name: 'preview to an OpenID',
    routes: previewRoutes,
    wechatPath: '/cgi-bin/message/mass/preview',
    request: { path: '/preview', body: { openId: 'oOPENID_000001', message: mpnews } },
    fields: {
      openId: 'openId',
      wechatId: 'wechatId',
      mediaId: 'message.mediaId',
      messageType: 'message.type',
      ...messageFields,
    },
  },
  {
    name: 'preview to a WeChat ID',
    routes: previewRoutes,
    wechatPath: '/cgi-bin/message/mass/preview',
    request: { path: '/preview', body: { wechatId: 'zhang_san', message: mpnews } },
    fields: {
      openId: 'wechatId',
      wechatId: 'wechatId',
      mediaId: 'message.mediaId',
      messageType: 'message.type',
      ...messageFields,
    },
  },
  {
    name: 'delete by msgId',
    routes: deleteRoutes,
    wechatPath: '/cgi-bin/message/mass/delete',
    request: { path: '/delete', body: { msgId: '3147483650', articleIdx: 2 } },
    fields: { msgId: 'msgId', articleIdx: 'articleIdx' },
    messages: { 40059: DELETE_40059 },
  },
  {
    name: 'delete by URL',
    routes: deleteRoutes,
    wechatPath: '/cgi-bin/message/mass/delete',
    request: { path: '/delete', body: { url: 'https://mp.weixin.qq.com/s/abc' } },
    fields: { msgId: 'url', articleIdx: 'articleIdx' },
    messages: { 40059: DELETE_40059 },
  },
  {
    name: 'status',
    routes: statusRoutes,
    wechatPath: '/cgi-bin/message/mass/get',
    request: { method: 'GET', path: '/status', query: { msgId: '3147483650' } },
    fields: { msgId: 'msgId' },
  },
  {
    name: 'GET speed',
    routes: speedRoutes,
    wechatPath: '/cgi-bin/message/mass/speed/get',
    request: { method: 'GET', path: '/speed' },
    fields: {},
  },
  {
    name: 'PUT speed',
    routes: speedRoutes,
    wechatPath: '/cgi-bin/message/mass/speed/set',
    request: { method: 'PUT', path: '/speed', body: { speed: 2 } },
    fields: { speed: 'speed' },
  },
  {
    name: 'media/news',
    routes: mediaRoutes,
    wechatPath: '/cgi-bin/media/uploadnews',
    request: {
      path: '/media/news',
      body: { articles: [{ thumbMediaId: 'thumb-1', title: 'Title', content: '<p>Body</p>' }] },
    },
    fields: {
      mediaId: 'articles[].thumbMediaId',
      title: 'articles[].title',
      author: 'articles[].author',
      digest: 'articles[].digest',
      content: 'articles[].content',
      contentSourceUrl: 'articles[].contentSourceUrl',
      articles: 'articles',
    },
  },
  {
    name: 'media/video',
    routes: mediaRoutes,
    wechatPath: '/cgi-bin/media/uploadvideo',
    request: { path: '/media/video', body: { mediaId: 'video-1' } },
    // uploadvideo refuses a long description with 45004, the digest's code.
    fields: { mediaId: 'mediaId', title: 'title', digest: 'description' },
  },
  {
    name: 'media/image',
    routes: mediaRoutes,
    wechatPath: '/cgi-bin/media/uploadimg',
    request: { path: '/media/image', binary: PNG, headers: { 'content-type': 'image/png' } },
    // A raw body: the upload is the body itself.
    fields: { media: '(body)' },
  },
  {
    name: 'media/material/image',
    routes: mediaRoutes,
    wechatPath: '/cgi-bin/material/add_material',
    request: { path: '/media/material/image', binary: PNG, headers: { 'content-type': 'image/png' } },
    fields: { media: '(body)', mediaType: 'type' },
  },
  {
    name: 'media/temporary/image',
    routes: mediaRoutes,
    wechatPath: '/cgi-bin/media/upload',
    request: { path: '/media/temporary/image', binary: PNG, headers: { 'content-type': 'image/png' } },
    fields: { media: '(body)', mediaType: 'type' },
  },
  {
    name: 'GET media/material',
    routes: mediaRoutes,
    wechatPath: '/cgi-bin/material/batchget_material',
    request: { method: 'GET', path: '/media/material', query: { type: 'image' } },
    fields: { mediaType: 'type' },
  },
  {
    name: 'media/material/delete',
    routes: mediaRoutes,
    wechatPath: '/cgi-bin/material/del_material',
    request: { path: '/media/material/delete', body: { mediaId: 'material-1' } },
    fields: { mediaId: 'mediaId' },
  },
  {
    name: 'POST media/drafts',
    routes: mediaRoutes,
    wechatPath: '/cgi-bin/draft/add',
    request: {
      path: '/media/drafts',
      body: { articles: [{ thumbMediaId: 'thumb-1', title: 'Title', content: '<p>Body</p>' }] },
    },
    fields: {
      mediaId: 'articles[].thumbMediaId',
      articles: 'articles',
      title: 'articles[].title',
      author: 'articles[].author',
      digest: 'articles[].digest',
      content: 'articles[].content',
      contentSourceUrl: 'articles[].contentSourceUrl',
    },
  },
  {
    name: 'GET media/drafts',
    routes: mediaRoutes,
    wechatPath: '/cgi-bin/draft/batchget',
    request: { method: 'GET', path: '/media/drafts' },
    fields: {},
  },
  {
    name: 'GET media/draft',
    routes: mediaRoutes,
    wechatPath: '/cgi-bin/draft/get',
    request: { method: 'GET', path: '/media/draft', query: { mediaId: 'draft-1' } },
    fields: { mediaId: 'mediaId' },
  },
  {
    name: 'media/drafts/delete',
    routes: mediaRoutes,
    wechatPath: '/cgi-bin/draft/delete',
    request: { path: '/media/drafts/delete', body: { mediaId: 'draft-1' } },
    fields: { mediaId: 'mediaId' },
  },
];

const ROWS = Object.entries(WECHAT_ERRORS).map(([errcode, rule]) => ({ errcode: Number(errcode), rule }));

describe.each(ROUTES)('$name: every failure errcode of the table', (route) => {
  let api: ApiHarness;
  beforeEach(() => {
    api = createApiHarness(route.routes);
  });
  afterEach(() => api.close());

  it.each(ROWS)('$errcode → $rule.status $rule.code', async ({ errcode, rule }) => {
    api.serveToken();
    api.serve(route.wechatPath, `{"errcode":${errcode},"errmsg":"errmsg of ${errcode}"}`);
    const res = await api.invoke({ ...route.request, apiKey: API_KEY });

    expect(res.statusCode).toBe(rule.status);
    expect(res.json.error).toMatchObject({
      code: rule.code,
      message: route.messages?.[errcode] ?? rule.message,
      errcode,
      errmsg: `errmsg of ${errcode}`,
    });
    expect(res.headers['retry-after']).toBe(rule.retryAfterSeconds ? String(rule.retryAfterSeconds) : undefined);
    const path = rule.field && route.fields[rule.field];
    if (path && rule.status < 500) {
      expect(res.json.error.fields).toEqual([{ path, reason: expect.stringContaining(`errcode ${errcode}`) }]);
    } else {
      expect(res.json.error.fields).toBeUndefined();
    }
    expect(api.calls.map((call) => call.path)).toEqual([route.wechatPath]);
  });
});
