import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS } from '../../../sandbox/accounts';
import { startSandbox, type Sandbox } from '../../../sandbox/server';
import type { ApiRequest } from '../../../shared/http/api-gateway';
import { HttpError } from '../../../shared/http/http-error';
import { download } from '../../../shared/http/download';
import { createDraft, deleteDraft, getDraft, listDrafts } from '../../../shared/api/drafts';
import type { MediaId } from '../../../shared/api/ids';
import {
  countMaterial,
  deleteMaterial,
  listMaterial,
  uploadPermanentMaterial,
  uploadTemporaryMaterial,
  type MaterialDeps,
} from '../../../shared/api/material';
import { uploadArticleImage } from '../../../shared/api/media';
import { createLogger } from '../../../shared/log';
import { buildApiDeps } from '../../../shared/runtime/api';
import { createMemoryStore } from '../../../shared/store/memory-store';
import { startHttpsSource, type HttpsSource } from '../../support/https-source';

const account = DEMO_ACCOUNTS.service;
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1]);
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const MP4 = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), Buffer.alloc(16)]);
let sandbox: Sandbox;
let source: HttpsSource;
let deps: MaterialDeps;

beforeAll(async () => {
  sandbox = await startSandbox({ log: () => {} });
  source = await startHttpsSource({
    '/cover.jpg': (res) => {
      res.writeHead(200, { 'content-type': 'image/jpeg' });
      res.end(JPEG);
    },
    '/liar.png': (res) => {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end(JPEG);
    },
    '/huge.jpg': (res) => {
      res.writeHead(200, { 'content-type': 'image/jpeg' });
      res.end(Buffer.concat([JPEG, Buffer.alloc(64 * 1024)]));
    },
  });
  const built = buildApiDeps(
    {
      WECHAT_APP_ID: account.appid,
      WECHAT_APP_SECRET: account.secret,
      WECHAT_API_BASE_URL: sandbox.url,
      STORE_URL: 'memory:',
      API_KEYS: 'test-key-0123456789',
    },
    { store: createMemoryStore(), log: createLogger({}, () => {}) },
  );
  deps = {
    ...built,
    fetchSource: (url, options) =>
      download(url, {
        ...options,
        resolve: async () => [{ address: '93.184.216.34', family: 4 }],
        agent: source.agent,
      }),
  };
});
afterEach(() => sandbox.reset());
afterAll(async () => {
  await source.close();
  await sandbox.close();
});

function request(body: Buffer | object, headers: Record<string, string> = {}, query: Record<string, string> = {}) {
  const isJson = !Buffer.isBuffer(body);
  return {
    method: 'POST',
    path: '/media/material/image',
    headers: { ...(isJson ? { 'content-type': 'application/json' } : {}), ...headers },
    query,
    rawBody: isJson ? Buffer.from(JSON.stringify(body)) : body,
    requestId: 'test',
  } satisfies ApiRequest;
}

function form(parts: Array<{ name: string; data: Buffer | string; filename?: string; type?: string }>) {
  const boundary = '----material-test-boundary';
  const chunks = parts.flatMap((p) => [
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"` +
        `${p.filename ? `; filename="${p.filename}"` : ''}\r\n` +
        `${p.type ? `Content-Type: ${p.type}\r\n` : ''}\r\n`,
    ),
    Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.data),
    Buffer.from('\r\n'),
  ]);
  return request(Buffer.concat([...chunks, Buffer.from(`--${boundary}--\r\n`)]), {
    'content-type': `multipart/form-data; boundary=${boundary}`,
  });
}

async function httpError(promise: Promise<unknown>): Promise<HttpError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HttpError);
  return err as HttpError;
}

const media = (id: string) => sandbox.state().media.find((m) => m.mediaId === id);

describe('uploadPermanentMaterial', () => {
  it('uploads a raw JPEG body as a permanent image and answers its media id and URL', async () => {
    const reply = await uploadPermanentMaterial(deps, 'image', request(JPEG, { 'content-type': 'image/jpeg' }));
    expect(reply).toMatchObject({ type: 'image', url: expect.stringMatching(/^http:\/\/mmbiz/) });
    expect(media(reply.mediaId)).toMatchObject({ origin: 'material', format: 'jpg', bytes: JPEG.length });
  });

  it('takes a multipart form with the file in "media" and a video title and introduction', async () => {
    const reply = await uploadPermanentMaterial(
      deps,
      'video',
      form([
        { name: 'media', data: MP4, filename: 'clip.mp4', type: 'video/mp4' },
        { name: 'title', data: 'Launch' },
        { name: 'introduction', data: 'Our launch video' },
      ]),
    );
    expect(media(reply.mediaId)).toMatchObject({ type: 'video', title: 'Launch', name: 'clip.mp4' });
  });

  it('downloads {sourceUrl} and uploads it', async () => {
    const reply = await uploadPermanentMaterial(deps, 'thumb', request({ sourceUrl: source.url('/cover.jpg') }));
    expect(media(reply.mediaId)).toMatchObject({ type: 'thumb', name: 'cover.jpg', format: 'jpg' });
  });

  it('answers 415 naming the field for a PNG as thumb (JPEG only), before calling WeChat', async () => {
    const calls = sandbox.calls().length;
    const err = await httpError(uploadPermanentMaterial(deps, 'thumb', request(PNG, { 'content-type': 'image/png' })));
    expect(err).toMatchObject({ status: 415, code: 'unsupported_media_type' });
    expect(err.fields).toEqual([{ path: '(body)', reason: 'is png, expected jpeg' }]);
    expect(sandbox.calls().length).toBe(calls);
  });

  it('answers 413 for a thumb over 64 KB', async () => {
    const big = Buffer.concat([JPEG, Buffer.alloc(64 * 1024)]);
    const err = await httpError(uploadPermanentMaterial(deps, 'thumb', request(big, { 'content-type': 'image/jpeg' })));
    expect(err).toMatchObject({ status: 413, code: 'media_too_large' });
  });

  it('answers 415 when the declared type disagrees with the bytes', async () => {
    const err = await httpError(uploadPermanentMaterial(deps, 'image', request(JPEG, { 'content-type': 'image/png' })));
    expect(err).toMatchObject({ status: 415, code: 'content_type_mismatch' });
  });

  it('answers 400 for a form without the media field', async () => {
    const err = await httpError(
      uploadPermanentMaterial(deps, 'image', form([{ name: 'file', data: JPEG, filename: 'a.jpg' }])),
    );
    expect(err.fields).toEqual([{ path: 'media', reason: 'is required (curl -F media=@file)' }]);
  });

  it('maps WeChat refusing the format (40005) to 415 naming the file', async () => {
    sandbox.injectFault({ path: '/cgi-bin/material/add_material', kind: 'errcode', errcode: 40005 });
    const err = await httpError(
      uploadPermanentMaterial(deps, 'image', request(JPEG, { 'content-type': 'image/jpeg' })),
    );
    expect(err).toMatchObject({ status: 415, code: 'unsupported_media_type' });
    expect(err.fields?.[0]?.path).toBe('(body)');
  });
});

describe('uploads from a sourceUrl', () => {
  it.each([
    ['an http URL', 'http://files.example.test/cover.jpg', 400, 'source_url_refused'],
    ['a metadata-service address', 'https://169.254.0.23/latest/meta-data', 400, 'source_url_refused'],
    ['a loopback address', 'https://127.0.0.1/cover.jpg', 400, 'source_url_refused'],
    ['something that is not a URL', 'cover.jpg', 400, 'invalid_request'],
  ])('refuses %s', async (_name, sourceUrl, status, code) => {
    const err = await httpError(uploadPermanentMaterial(deps, 'image', request({ sourceUrl })));
    expect(err).toMatchObject({ status, code });
    expect(err.fields?.[0]?.path).toBe('sourceUrl');
  });

  it('refuses a file larger than the type allows while downloading (413)', async () => {
    const err = await httpError(
      uploadPermanentMaterial(deps, 'thumb', request({ sourceUrl: source.url('/huge.jpg') })),
    );
    expect(err).toMatchObject({ status: 413, code: 'media_too_large' });
  });

  it('refuses a source whose content type disagrees with its bytes (415)', async () => {
    const err = await httpError(
      uploadPermanentMaterial(deps, 'image', request({ sourceUrl: source.url('/liar.png') })),
    );
    expect(err).toMatchObject({ status: 415, code: 'content_type_mismatch' });
    expect(err.fields?.[0]?.path).toBe('sourceUrl');
  });

  it('refuses unknown fields beside sourceUrl', async () => {
    const err = await httpError(
      uploadPermanentMaterial(deps, 'image', request({ sourceUrl: source.url('/cover.jpg'), x: 1 })),
    );
    expect(err.fields).toEqual([{ path: 'x', reason: 'unknown field' }]);
  });

  it('works for article images too', async () => {
    const reply = await uploadArticleImage(deps, request({ sourceUrl: source.url('/cover.jpg') }));
    expect(reply.url).toMatch(/^http:\/\/mmbiz/);
  });
});

describe('temporary material', () => {
  it('answers the media id with its creation and expiry 3 days later', async () => {
    const reply = await uploadTemporaryMaterial(deps, 'image', request(PNG, { 'content-type': 'image/png' }));
    expect(reply.expiresAt - reply.createdAt).toBe(3 * 86_400);
    expect(media(reply.mediaId)).toMatchObject({ origin: 'temporary' });
  });

  it('keeps temporary images to 2 MB (permanent ones may have 10 MB)', async () => {
    const big = Buffer.concat([PNG, Buffer.alloc(2 * 1024 * 1024)]);
    const err = await httpError(uploadTemporaryMaterial(deps, 'image', request(big, { 'content-type': 'image/png' })));
    expect(err.status).toBe(413);
    const kept = await uploadPermanentMaterial(deps, 'image', request(big, { 'content-type': 'image/png' }));
    expect(kept.mediaId).toEqual(expect.any(String));
  });
});

describe('listing, counting and deleting material', () => {
  it('lists, counts and deletes', async () => {
    const image = await uploadPermanentMaterial(deps, 'image', request(PNG, { 'content-type': 'image/png' }));
    const list = await listMaterial(deps, { type: 'image', offset: '0', count: '1' });
    expect(list).toMatchObject({ totalCount: 3, itemCount: 1, items: [{ mediaId: image.mediaId, url: image.url }] });
    expect(await countMaterial(deps)).toEqual({ image: 3, voice: 1, video: 1, news: 1 });
    expect(await deleteMaterial(deps, image.mediaId)).toEqual({ deleted: true });
    const again = await httpError(deleteMaterial(deps, image.mediaId));
    expect(again).toMatchObject({
      status: 400,
      code: 'invalid_media_id',
      fields: [expect.objectContaining({ path: 'mediaId' })],
    });
  });
});

describe('drafts', () => {
  const article = (thumbMediaId: string) => ({
    thumbMediaId: thumbMediaId as MediaId,
    title: 'Hello',
    content: '<p>Body</p>',
    needOpenComment: true,
    onlyFansCanComment: true,
    coverCrops: { wide: { x1: 0, y1: 0, x2: 1, y2: 0.425 }, square: { x1: 0.2, y1: 0, x2: 0.8, y2: 1 } },
  });

  it('creates a draft with comments and crops, reads it back, lists and deletes it', async () => {
    const thumb = await uploadPermanentMaterial(deps, 'thumb', request(JPEG, { 'content-type': 'image/jpeg' }));
    const draft = await createDraft(deps, { articles: [article(thumb.mediaId)] });
    const got = await getDraft(deps, draft.mediaId);
    expect(got.articles[0]).toMatchObject({
      title: 'Hello',
      needOpenComment: true,
      onlyFansCanComment: true,
      coverCrops: article(thumb.mediaId).coverCrops,
    });
    const list = await listDrafts(deps, { withContent: 'false' });
    expect(list).toMatchObject({ totalCount: 1, items: [{ mediaId: draft.mediaId }] });
    expect(list.items[0]?.articles[0]?.content).toBeUndefined();
    expect(await deleteDraft(deps, draft.mediaId)).toEqual({ deleted: true });
  });

  it('answers 400 naming the thumb when WeChat refuses a temporary one (40007)', async () => {
    // WeChat (and the sandbox) answer a temporary thumb with thumb_media_id, not media_id.
    const temporary = await uploadTemporaryMaterial(deps, 'thumb', request(JPEG, { 'content-type': 'image/jpeg' }));
    expect(temporary).toMatchObject({ type: 'thumb', mediaId: expect.stringMatching(/\S/) });
    const err = await httpError(createDraft(deps, { articles: [article(temporary.mediaId)] }));
    expect(err).toMatchObject({ status: 400, code: 'invalid_media_id' });
    expect(err.fields?.[0]?.path).toBe('articles[].thumbMediaId');
  });
});
