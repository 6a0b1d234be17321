import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorAnswer, SendAnswer } from './support/answers';
import { finishAndReadStatus, startLocalProduct, type LocalProduct } from './support/local-product';

// A 1×1 PNG, and the first bytes of a JPEG (WeChat and the sandbox recognise files by them).
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]), Buffer.from('JFIF\0'), Buffer.alloc(200)]);
const VIP_TAG = 100;

/** The bytes and content type `curl -F media=@name` would send. */
async function multipart(fields: Record<string, string | { data: Buffer; filename: string; type: string }>) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value === 'string') form.append(name, value);
    else form.append(name, new Blob([value.data], { type: value.type }), value.filename);
  }
  const request = new Request('http://form.local/', { method: 'POST', body: form });
  return { data: new Uint8Array(await request.arrayBuffer()), contentType: request.headers.get('content-type')! };
}

describe('preparing a send from nothing, through the local gateway', () => {
  let product: LocalProduct;
  beforeAll(async () => {
    product = await startLocalProduct({ account: 'service', callbackMode: 'safe' });
  });
  afterAll(async () => {
    await product?.close();
  });

  it(
    'uploads a thumb and an image, drafts an article with them, sends it as mpnews to a tag, ' + 'sees the report',
    async () => {
      const thumb = await product.call<{ mediaId: string; type: string }>('POST', '/media/material/thumb', {
        bytes: await multipart({ media: { data: JPEG, filename: 'cover.jpg', type: 'image/jpeg' } }),
      });
      const image = await product.call<{ url: string }>('POST', '/media/image?filename=inline.png', {
        bytes: { data: PNG, contentType: 'image/png' },
      });
      expect(thumb).toMatchObject({ status: 200, body: { type: 'thumb', mediaId: expect.any(String) } });
      expect(image.status).toBe(200);

      const draft = await product.call<{ mediaId: string }>('POST', '/media/drafts', {
        body: {
          articles: [
            {
              thumbMediaId: thumb.body.mediaId,
              title: 'Launch day',
              content: `<p>We launched.</p><img src="${image.body.url}">`,
              needOpenComment: true,
              onlyFansCanComment: true,
              coverCrops: { wide: { x1: 0, y1: 0.1, x2: 1, y2: 0.525 } },
            },
          ],
        },
      });
      expect(draft.status).toBe(200);
      const readBack = await product.call<{ articles: Array<Record<string, unknown>> }>(
        'GET',
        `/media/draft?mediaId=${encodeURIComponent(draft.body.mediaId)}`,
      );
      expect(readBack.body.articles[0]).toMatchObject({
        title: 'Launch day',
        thumbMediaId: thumb.body.mediaId,
        needOpenComment: true,
        coverCrops: { wide: { x1: 0, y1: 0.1, x2: 1, y2: 0.525 } },
      });

      const sent = await product.call<SendAnswer>('POST', '/send-by-tag', {
        body: { audience: { tagId: VIP_TAG }, message: { type: 'mpnews', mediaId: draft.body.mediaId } },
      });
      expect(sent.status).toBe(200);
      const status = await finishAndReadStatus(product, sent.body.msgId);
      expect(status).toMatchObject({
        status: 'SEND_SUCCESS',
        report: { status: { kind: 'success' }, counts: { total: 10, sent: 10 } },
      });

      const state = product.local.sandbox.state();
      expect(state.media.find((m) => m.mediaId === thumb.body.mediaId)).toMatchObject({
        origin: 'material',
        type: 'thumb',
        name: 'cover.jpg',
        bytes: JPEG.length,
      });
      expect(state.uploadedImages.map((i) => i.url)).toContain(image.body.url);
      expect(state.media.find((m) => m.mediaId === draft.body.mediaId)).toMatchObject({
        origin: 'draft',
        articles: [{ title: 'Launch day', needOpenComment: 1, onlyFansCanComment: 1 }],
        sentAt: expect.any(Number),
      });
      // WeChat takes a sent draft out of the draft box.
      const listed = await product.call<{ totalCount: number }>('GET', '/media/drafts');
      expect(listed.body.totalCount).toBe(0);
    },
  );

  it('lists and counts permanent material, and deletes it', async () => {
    const video = await product.call<{ mediaId: string }>('POST', '/media/material/video', {
      bytes: await multipart({
        media: {
          data: Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypmp42'), Buffer.alloc(64)]),
          filename: 'clip.mp4',
          type: 'video/mp4',
        },
        title: 'Clip',
        introduction: 'A short clip',
      }),
    });
    expect(video.status).toBe(200);
    const list = await product.call<{ items: Array<{ mediaId: string }> }>('GET', '/media/material?type=video');
    expect(list.body.items[0]?.mediaId).toBe(video.body.mediaId);
    const count = await product.call<{ video: number }>('GET', '/media/material/count');
    expect(count.body.video).toBeGreaterThanOrEqual(2);
    const deleted = await product.call('POST', '/media/material/delete', { body: { mediaId: video.body.mediaId } });
    expect(deleted).toMatchObject({ status: 200, body: { deleted: true } });
  });

  it('keeps temporary material with its expiry', async () => {
    const voice = await product.call<{ createdAt: number; expiresAt: number }>('POST', '/media/temporary/voice', {
      bytes: { data: Buffer.from('#!AMR\n\0\0\0\0'), contentType: 'audio/amr' },
    });
    expect(voice.status).toBe(200);
    expect(voice.body.expiresAt - voice.body.createdAt).toBe(3 * 86_400);
  });

  it('refuses a sourceUrl that is not https or points inside the network, without a download', async () => {
    for (const sourceUrl of ['http://example.com/a.png', 'https://169.254.0.23/latest/meta-data']) {
      const answer = await product.call<ErrorAnswer>('POST', '/media/material/image', { body: { sourceUrl } });
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatchObject({ code: 'source_url_refused', fields: [{ path: 'sourceUrl' }] });
    }
  });

  it('refuses an upload whose event would pass the 6 MB SCF takes, as the cloud gateway would', async () => {
    const big = Buffer.concat([PNG, Buffer.alloc(5 * 1024 * 1024)]);
    const answer = await product.call<ErrorAnswer>('POST', '/media/material/image', {
      bytes: { data: big, contentType: 'image/png' },
    });
    expect(answer.status).toBe(413);
  });

  it('answers 415 for a thumb that is a PNG, naming the form field, and WeChat is not called', async () => {
    const calls = product.local.sandbox.calls().length;
    const answer = await product.call<ErrorAnswer>('POST', '/media/material/thumb', {
      bytes: await multipart({ media: { data: PNG, filename: 'cover.png', type: 'image/png' } }),
    });
    expect(answer.status).toBe(415);
    expect(answer.body.error.fields).toEqual([{ path: 'media', reason: 'is png, expected jpeg' }]);
    expect(product.local.sandbox.calls().length).toBe(calls);
  });
});
