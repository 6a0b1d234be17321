import { describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS } from '../../sandbox/accounts';
import type { Reply, TestSandbox } from './helpers';
import { SENDALL, useSandboxPerTest } from './helpers';

const service = DEMO_ACCOUNTS.service;
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);
let t: TestSandbox;
let token: string;

useSandboxPerTest(service, (ready) => ({ t, token } = ready));

async function uploadImage(data: Buffer, field = 'media'): Promise<Reply> {
  const form = new FormData();
  form.append(field, new Blob([data], { type: 'image/png' }), 'picture.png');
  const res = await fetch(`${t.sandbox.url}/cgi-bin/media/uploadimg?access_token=${token}`, {
    method: 'POST',
    body: form,
  });
  return (await res.json()) as Reply;
}

describe('media/uploadimg', () => {
  it('answers a URL for a png', async () => {
    expect((await uploadImage(PNG)).url).toMatch(/^http:\/\/mmbiz\.qpic\.cn\//);
  });

  it('rejects a file that is neither jpg nor png with 40005', async () => {
    expect((await uploadImage(Buffer.from('GIF89a....'))).errcode).toBe(40005);
  });

  it('rejects an image of 1 MB or more with 40006', async () => {
    expect((await uploadImage(Buffer.concat([PNG, Buffer.alloc(1024 * 1024)]))).errcode).toBe(40006);
  });

  it('answers 41005 when the media field is missing', async () => {
    expect((await uploadImage(PNG, 'file')).errcode).toBe(41005);
  });
});

describe('media/uploadnews', () => {
  const article = { thumb_media_id: service.media.thumb, title: 'Title', content: '<p>Body</p>' };

  it('returns a news media id that mpnews can then send', async () => {
    const news = await t.call(token, '/cgi-bin/media/uploadnews', { articles: [article, article, article] });
    expect(news).toMatchObject({ type: 'news', created_at: expect.any(Number) });
    const sent = await t.call(token, SENDALL, {
      filter: { is_to_all: true },
      msgtype: 'mpnews',
      mpnews: { media_id: news.media_id },
    });
    expect(sent.errcode).toBe(0);
    expect(t.sandbox.messages()[0]?.articleUrls).toHaveLength(3);
  });

  it('rejects nine articles with 45008', async () => {
    expect((await t.call(token, '/cgi-bin/media/uploadnews', { articles: Array(9).fill(article) })).errcode).toBe(
      45008,
    );
  });

  it('rejects an article without a title with 44003', async () => {
    expect((await t.call(token, '/cgi-bin/media/uploadnews', { articles: [{ ...article, title: '' }] })).errcode).toBe(
      44003,
    );
  });

  it('rejects an unknown thumb_media_id with 40007', async () => {
    expect(
      (await t.call(token, '/cgi-bin/media/uploadnews', { articles: [{ ...article, thumb_media_id: 'x' }] })).errcode,
    ).toBe(40007);
  });

  it('forgets uploaded news after 3 days', async () => {
    const news = await t.call(token, '/cgi-bin/media/uploadnews', { articles: [article] });
    t.sandbox.advanceClock(3 * 86_400_000);
    const fresh = await t.tokenFor(service);
    const sent = await t.call(fresh, SENDALL, {
      filter: { is_to_all: true },
      msgtype: 'mpnews',
      mpnews: { media_id: news.media_id },
    });
    expect(sent.errcode).toBe(40007);
  });
});

describe('media/uploadvideo', () => {
  it('turns a video into an mpvideo media id that mass send accepts', async () => {
    const video = await t.call(token, '/cgi-bin/media/uploadvideo', {
      media_id: service.media.video,
      title: 'T',
      description: 'D',
    });
    expect(video.type).toBe('video');
    const sent = await t.call(token, SENDALL, {
      filter: { is_to_all: true },
      msgtype: 'mpvideo',
      mpvideo: { media_id: video.media_id },
    });
    expect(sent.errcode).toBe(0);
  });

  it('rejects a media id that is not a video with 40007', async () => {
    expect((await t.call(token, '/cgi-bin/media/uploadvideo', { media_id: service.media.image })).errcode).toBe(40007);
  });
});
