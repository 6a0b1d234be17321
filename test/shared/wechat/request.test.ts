import { describe, expect, it } from 'vitest';
import {
  addMaterial,
  massGet,
  massSendAll,
  stableToken,
  token,
  uploadImage,
  uploadTemporaryMedia,
} from '../../../shared/wechat/endpoints';
import { WeChatApiError, WeChatResponseError, WeChatTransportError } from '../../../shared/wechat/errors';
import { requestWeChat } from '../../../shared/wechat/request';
import { useWeChatMock, WECHAT_ORIGIN } from '../../support/mock-wechat';

const TOKEN = 'ACCESS_TOKEN_d6f1e2a9b8c7';
const SECRET = 'app-secret-4f3e2d1c0b9a';

describe('requestWeChat', () => {
  const mock = useWeChatMock();
  const options = () => ({
    baseUrl: WECHAT_ORIGIN,
    timeoutMs: 500,
    transport: mock.transport,
    accessToken: TOKEN,
  });

  it('posts the JSON body with the token in the query and returns the parsed reply', async () => {
    let sent: unknown;
    mock.wechat
      .intercept({ path: `/cgi-bin/message/mass/sendall?access_token=${TOKEN}`, method: 'POST' })
      .reply(200, (opts) => {
        sent = JSON.parse(String(opts.body));
        return '{"errcode":0,"errmsg":"send job submission success","msg_id":3147483649,"msg_data_id":2247483650}';
      });
    const reply = await requestWeChat(
      massSendAll,
      { filter: { is_to_all: false, tag_id: 2 }, msgtype: 'text', text: { content: 'hi' }, clientmsgid: 'c-1' },
      options(),
    );
    expect(sent).toEqual({
      filter: { is_to_all: false, tag_id: 2 },
      msgtype: 'text',
      text: { content: 'hi' },
      clientmsgid: 'c-1',
    });
    expect(reply.msg_id).toBe('3147483649');
    expect(reply.msg_data_id).toBe('2247483650');
  });

  it('keeps msg_id exact beyond 2^53 both ways', async () => {
    let raw = '';
    mock.wechat
      .intercept({ path: `/cgi-bin/message/mass/get?access_token=${TOKEN}`, method: 'POST' })
      .reply(200, (opts) => {
        raw = String(opts.body);
        return '{"msg_id":9007199254740993,"msg_status":"SEND_SUCCESS"}';
      });
    const reply = await requestWeChat(massGet, { msg_id: '9007199254740993' }, options());
    expect(raw).toBe('{"msg_id":9007199254740993}');
    expect(reply).toEqual({ msg_id: '9007199254740993', msg_status: 'SEND_SUCCESS' });
  });

  it('turns errcode ≠ 0 on HTTP 200 into a WeChatApiError that keeps the extra fields', async () => {
    mock.wechat
      .intercept({ path: `/cgi-bin/message/mass/sendall?access_token=${TOKEN}`, method: 'POST' })
      .reply(200, '{"errcode":45065,"errmsg":"clientmsgid exist","msg_id":3147483651}');
    const err = await requestWeChat(
      massSendAll,
      { filter: { is_to_all: true }, msgtype: 'text', text: { content: 'hi' }, clientmsgid: 'dup' },
      options(),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WeChatApiError);
    expect(err).toMatchObject({ errcode: 45065, errmsg: 'clientmsgid exist', path: '/cgi-bin/message/mass/sendall' });
    expect((err as WeChatApiError).body.msg_id).toBe('3147483651');
  });

  it('reports an HTTP 5xx as a transport error with its status', async () => {
    mock.wechat.intercept({ path: /mass\/get/, method: 'POST' }).reply(502, 'Bad Gateway');
    const err = await requestWeChat(massGet, { msg_id: '1' }, options()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WeChatTransportError);
    expect(err).toMatchObject({ kind: 'http_status', status: 502 });
  });

  it('gives up after the timeout with a transport error of kind timeout', async () => {
    mock.wechat
      .intercept({ path: /mass\/get/, method: 'POST' })
      .reply(200, '{"msg_id":1,"msg_status":"SENDING"}')
      .delay(2_000);
    // A JSON call keeps its own deadline whatever the upload deadline is.
    const err = await requestWeChat(
      massGet,
      { msg_id: '1' },
      { ...options(), timeoutMs: 100, uploadTimeoutMs: 5_000 },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WeChatTransportError);
    expect(err).toMatchObject({ kind: 'timeout', path: '/cgi-bin/message/mass/get' });
  });

  it('gives an upload its own, longer deadline (WECHAT_UPLOAD_TIMEOUT_MS), and keeps to it', async () => {
    const upload = () =>
      requestWeChat(
        uploadImage,
        { media: { filename: 'a.png', contentType: 'image/png', data: new Uint8Array([0x89, 0x50, 0x4e, 0x47]) } },
        { ...options(), timeoutMs: 100, uploadTimeoutMs: 2_000 },
      );
    const slowReply = () =>
      mock.wechat
        .intercept({ path: `/cgi-bin/media/uploadimg?access_token=${TOKEN}`, method: 'POST' })
        .reply(200, { url: 'http://mmbiz.qpic.cn/slow.png' });
    slowReply().delay(400);
    await expect(upload()).resolves.toEqual({ url: 'http://mmbiz.qpic.cn/slow.png' });
    slowReply().delay(4_000);
    await expect(upload()).rejects.toMatchObject({ kind: 'timeout', path: '/cgi-bin/media/uploadimg' });
  });

  it('reports a refused connection as a network error', async () => {
    mock.wechat.intercept({ path: /mass\/get/, method: 'POST' }).replyWithError(new Error('ECONNRESET'));
    await expect(requestWeChat(massGet, { msg_id: '1' }, options())).rejects.toMatchObject({ kind: 'network' });
  });

  it('rejects a reply that is not JSON, or not the promised shape', async () => {
    mock.wechat.intercept({ path: /mass\/get/, method: 'POST' }).reply(200, '<html>busy</html>');
    await expect(requestWeChat(massGet, { msg_id: '1' }, options())).rejects.toBeInstanceOf(WeChatResponseError);
    mock.wechat.intercept({ path: /mass\/get/, method: 'POST' }).reply(200, '{"msg_id":1,"msg_status":"LOST"}');
    await expect(requestWeChat(massGet, { msg_id: '1' }, options())).rejects.toThrow(/msg_status/);
  });

  it('refuses to send a body that breaks the endpoint schema (is_to_all as a string gets 40008)', async () => {
    await expect(
      requestWeChat(
        massSendAll,
        { filter: { is_to_all: 'true' as never }, msgtype: 'text', text: { content: 'x' } },
        options(),
      ),
    ).rejects.toThrow(/filter\.is_to_all/);
  });

  it('never puts the AppSecret or the access token in an error message', async () => {
    mock.wechat
      .intercept({ path: /cgi-bin\/token/, method: 'GET' })
      .reply(200, `{"errcode":40001,"errmsg":"invalid credential, secret=${SECRET} access_token=${TOKEN}"}`);
    const err = (await requestWeChat(
      token,
      { grant_type: 'client_credential', appid: 'wx1', secret: SECRET },
      options(),
    ).catch((e: unknown) => e)) as Error;
    expect(err.message).not.toContain(SECRET);
    expect(err.message).not.toContain(TOKEN);
    mock.wechat.intercept({ path: /mass\/get/, method: 'POST' }).reply(500, `token ${TOKEN}`);
    const transport = (await requestWeChat(massGet, { msg_id: '1' }, options()).catch((e: unknown) => e)) as Error;
    expect(`${transport.message} ${String(transport.cause)}`).not.toContain(TOKEN);
  });

  it('sends the classic token call as a GET with its query and the stable one as JSON', async () => {
    mock.wechat
      .intercept({ path: `/cgi-bin/token?grant_type=client_credential&appid=wx1&secret=${SECRET}`, method: 'GET' })
      .reply(200, '{"access_token":"T1","expires_in":7200}');
    let stableBody: unknown;
    mock.wechat.intercept({ path: '/cgi-bin/stable_token', method: 'POST' }).reply(200, (opts) => {
      stableBody = JSON.parse(String(opts.body));
      return '{"access_token":"T2","expires_in":7000}';
    });
    const { accessToken: _, ...transport } = options();
    expect(
      await requestWeChat(token, { grant_type: 'client_credential', appid: 'wx1', secret: SECRET }, transport),
    ).toMatchObject({ access_token: 'T1' });
    expect(
      await requestWeChat(
        stableToken,
        { grant_type: 'client_credential', appid: 'wx1', secret: SECRET, force_refresh: true },
        transport,
      ),
    ).toMatchObject({ access_token: 'T2', expires_in: 7000 });
    expect(stableBody).toEqual({ grant_type: 'client_credential', appid: 'wx1', secret: SECRET, force_refresh: true });
  });

  it('uploads an image as multipart form data under the field "media"', async () => {
    let media: Promise<File> | undefined;
    mock.wechat
      .intercept({ path: `/cgi-bin/media/uploadimg?access_token=${TOKEN}`, method: 'POST' })
      .reply(200, (opts) => {
        // The bytes as sent, read back by undici's own multipart parser.
        const type = new Headers(opts.headers as Record<string, string>).get('content-type') ?? '';
        media = new Response(opts.body as Buffer, { headers: { 'content-type': type } })
          .formData()
          .then((form) => form.get('media') as File);
        return '{"url":"http://mmbiz.qpic.cn/x.png"}';
      });
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    const reply = await requestWeChat(
      uploadImage,
      { media: { filename: 'a.png', contentType: 'image/png', data: png } },
      options(),
    );
    expect(reply.url).toBe('http://mmbiz.qpic.cn/x.png');
    const file = await media!;
    expect(file.name).toBe('a.png');
    expect(file.type).toBe('image/png');
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(png);
  });

  it('sends add_material with the type in the query and a video description as a text part', async () => {
    let form: Promise<FormData> | undefined;
    mock.wechat
      .intercept({ path: `/cgi-bin/material/add_material?access_token=${TOKEN}&type=video`, method: 'POST' })
      .reply(200, (opts) => {
        const type = new Headers(opts.headers as Record<string, string>).get('content-type') ?? '';
        form = new Response(opts.body as Buffer, { headers: { 'content-type': type } }).formData();
        return '{"media_id":"MEDIA"}';
      });
    const mp4 = new Uint8Array([0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70]);
    const description = JSON.stringify({ title: 'Clip', introduction: 'Hi' });
    const reply = await requestWeChat(
      addMaterial,
      { type: 'video', media: { filename: 'a.mp4', contentType: 'video/mp4', data: mp4 }, description },
      options(),
    );
    expect(reply.media_id).toBe('MEDIA');
    const sent = await form!;
    expect(sent.get('description')).toBe(description);
    expect(sent.get('type')).toBeNull();
    expect(new Uint8Array(await (sent.get('media') as File).arrayBuffer())).toEqual(mp4);
  });
});

// media/upload answers a thumb with thumb_media_id (silenceper/wechat#14), anything else with media_id.
describe("media/upload's reply", () => {
  const reply = (body: unknown) => uploadTemporaryMedia.response.safeParse(body).success;
  it('takes either id, and refuses a reply with neither', () => {
    expect(reply({ type: 'thumb', thumb_media_id: 'T1', created_at: 1 })).toBe(true);
    expect(reply({ type: 'image', media_id: 'M1', created_at: 1 })).toBe(true);
    expect(reply({ type: 'image', created_at: 1 })).toBe(false);
  });
});
