import { describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS } from '../../sandbox/accounts';
import type { Reply, TestSandbox } from './helpers';
import { useSandboxPerTest } from './helpers';

const service = DEMO_ACCOUNTS.service;
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46]);
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);
const MP4 = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), Buffer.alloc(16)]);
const AMR = Buffer.from('#!AMR\n\u0000\u0000');
const WAV = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WAVEfmt '), Buffer.alloc(8)]);
let t: TestSandbox;
let token: string;

useSandboxPerTest(service, (ready) => ({ t, token } = ready));

async function upload(
  path: string,
  type: string,
  data: Buffer,
  fields: Record<string, string> = {},
  field = 'media',
): Promise<Reply> {
  const form = new FormData();
  form.append(field, new Blob([data]), 'file.bin');
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  const res = await fetch(`${t.sandbox.url}${path}?access_token=${token}&type=${type}`, { method: 'POST', body: form });
  return (await res.json()) as Reply;
}
const addMaterial = (type: string, data: Buffer, fields?: Record<string, string>) =>
  upload('/cgi-bin/material/add_material', type, data, fields);
const uploadTemporary = (type: string, data: Buffer) => upload('/cgi-bin/media/upload', type, data);

describe('material/add_material', () => {
  it('keeps a permanent image and answers its media_id and URL', async () => {
    const reply = await addMaterial('image', PNG);
    expect(reply).toMatchObject({ media_id: expect.any(String), url: expect.stringMatching(/^http:\/\/mmbiz/) });
    const kept = t.sandbox.state().media.find((m) => m.mediaId === reply.media_id);
    expect(kept).toMatchObject({ type: 'image', origin: 'material', bytes: PNG.length, format: 'png' });
    expect(kept?.expiresAt).toBeUndefined();
  });

  it('keeps a video with the title and introduction of its description field', async () => {
    const reply = await addMaterial('video', MP4, {
      description: JSON.stringify({ title: 'Clip', introduction: 'Hi' }),
    });
    expect(reply.url).toBeUndefined();
    expect(t.sandbox.state().media.find((m) => m.mediaId === reply.media_id)).toMatchObject({ title: 'Clip' });
  });

  it('answers 40097 for a description that is not JSON', async () => {
    expect((await addMaterial('video', MP4, { description: 'Clip' })).errcode).toBe(40097);
  });

  it('answers 40004 for an unknown type', async () => {
    expect((await addMaterial('news', PNG)).errcode).toBe(40004);
  });

  it('answers 40005 when the bytes are not a format of the type (a PNG as thumb, a WAV is fine as voice)', async () => {
    expect((await addMaterial('thumb', PNG)).errcode).toBe(40005);
    expect((await addMaterial('voice', WAV)).errcode).toBeUndefined();
    expect((await addMaterial('video', AMR)).errcode).toBe(40005);
  });

  it('answers 40006 for a thumb over 64 KB and 41005 without the media field', async () => {
    expect((await addMaterial('thumb', Buffer.concat([JPEG, Buffer.alloc(64 * 1024)]))).errcode).toBe(40006);
    expect((await upload('/cgi-bin/material/add_material', 'image', PNG, {}, 'file')).errcode).toBe(41005);
  });
});

describe('media/upload (temporary)', () => {
  it('answers type, media_id and created_at and forgets the file after 3 days', async () => {
    const reply = await uploadTemporary('voice', AMR);
    expect(reply).toMatchObject({ type: 'voice', media_id: expect.any(String), created_at: expect.any(Number) });
    const kept = t.sandbox.state().media.find((m) => m.mediaId === reply.media_id);
    expect(kept?.expiresAt).toBe(kept!.createdAt + 3 * 86_400_000);
    t.sandbox.advanceClock(3 * 86_400_000);
    const fresh = await t.tokenFor(service);
    const sent = await t.call(fresh, '/cgi-bin/message/mass/sendall', {
      filter: { is_to_all: true },
      msgtype: 'voice',
      voice: { media_id: reply.media_id },
    });
    expect(sent.errcode).toBe(40007);
  });

  it('takes a WAV as permanent voice only (temporary voice is AMR or MP3)', async () => {
    expect((await uploadTemporary('voice', WAV)).errcode).toBe(40005);
  });

  it('takes temporary images up to 2 MB', async () => {
    expect((await uploadTemporary('image', Buffer.concat([PNG, Buffer.alloc(2 * 1024 * 1024)]))).errcode).toBe(40006);
  });
});

describe('batchget_material, get_materialcount, del_material', () => {
  it('lists and counts permanent material, thumbs with images, newest first, without temporary files', async () => {
    const first = await addMaterial('image', PNG);
    const second = await addMaterial('thumb', JPEG);
    await uploadTemporary('image', PNG);
    const page = await t.call(token, '/cgi-bin/material/batchget_material', { type: 'image', offset: 0, count: 2 });
    // The seed holds one image and one thumb as well.
    expect(page.total_count).toBe(4);
    expect(page.item.map((i: Reply) => i.media_id)).toEqual([second.media_id, first.media_id]);
    const res = await fetch(`${t.sandbox.url}/cgi-bin/material/get_materialcount?access_token=${token}`);
    expect(await res.json()).toEqual({ voice_count: 1, video_count: 1, image_count: 4, news_count: 1 });
  });

  it('answers 40097 for a page of more than 20', async () => {
    const page = await t.call(token, '/cgi-bin/material/batchget_material', { type: 'image', offset: 0, count: 21 });
    expect(page.errcode).toBe(40097);
  });

  it('deletes permanent material; the id then gives 40007, and a temporary id cannot be deleted', async () => {
    const image = await addMaterial('image', PNG);
    expect((await t.call(token, '/cgi-bin/material/del_material', { media_id: image.media_id })).errcode).toBe(0);
    expect((await t.call(token, '/cgi-bin/material/del_material', { media_id: image.media_id })).errcode).toBe(40007);
    const temporary = await uploadTemporary('image', PNG);
    const refused = await t.call(token, '/cgi-bin/material/del_material', { media_id: temporary.media_id });
    expect(refused.errcode).toBe(40007);
  });
});
