import { describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS } from '../../sandbox/accounts';
import type { TestSandbox } from './helpers';
import { SENDALL, useSandboxPerTest } from './helpers';

const service = DEMO_ACCOUNTS.service;
const article = { thumb_media_id: service.media.thumb, title: 'Title', content: '<p>Body</p>' };
let t: TestSandbox;
let token: string;

useSandboxPerTest(service, (ready) => ({ t, token } = ready));

const add = (articles: unknown[]) => t.call(token, '/cgi-bin/draft/add', { articles });

describe('draft/add', () => {
  it('keeps the comment switches and crops, and draft/get gives them back', async () => {
    const crops = { pic_crop_235_1: '0_0_1_0.425', pic_crop_1_1: '0.2_0_0.8_1' };
    const draft = await add([{ ...article, need_open_comment: 1, only_fans_can_comment: 1, ...crops }]);
    expect(draft.media_id).toEqual(expect.any(String));
    const got = await t.call(token, '/cgi-bin/draft/get', { media_id: draft.media_id });
    expect(got.news_item[0]).toMatchObject({
      title: 'Title',
      need_open_comment: 1,
      only_fans_can_comment: 1,
      ...crops,
    });
  });

  it.each([
    ['a title over 32 characters', { title: 'x'.repeat(33) }, 45003],
    ['an author over 16 characters', { author: 'x'.repeat(17) }, 45110],
    ['a digest over 128 characters', { digest: 'x'.repeat(129) }, 45004],
    ['content of 20,000 characters', { content: 'x'.repeat(20_000) }, 45002],
    ['a content_source_url over 1 KB', { content_source_url: `https://e.example/${'x'.repeat(1024)}` }, 45005],
    ['a crop outside [0, 1]', { pic_crop_235_1: '0_0_1.5_1' }, 40097],
    ['a crop whose corners are swapped', { pic_crop_1_1: '1_1_0_0' }, 40097],
    ['need_open_comment that is not 0 or 1', { need_open_comment: true }, 40097],
    ['an empty title', { title: ' ' }, 44003],
  ])('refuses %s', async (_name, change, errcode) => {
    expect((await add([{ ...article, ...change }])).errcode).toBe(errcode);
  });

  it('takes a permanent thumb only: a temporary one is 40007', async () => {
    const form = new FormData();
    form.append('media', new Blob([Buffer.from([0xff, 0xd8, 0xff, 0xe0])]), 'thumb.jpg');
    const res = await fetch(`${t.sandbox.url}/cgi-bin/media/upload?access_token=${token}&type=thumb`, {
      method: 'POST',
      body: form,
    });
    const temporary = (await res.json()) as { media_id: string };
    expect((await add([{ ...article, thumb_media_id: temporary.media_id }])).errcode).toBe(40007);
  });

  it('takes 1 to 8 articles', async () => {
    expect((await add([])).errcode).toBe(44003);
    expect((await add(Array(9).fill(article))).errcode).toBe(45008);
    expect((await add(Array(8).fill(article))).errcode).toBeUndefined();
  });
});

describe('the draft box', () => {
  it('lists drafts newest first with or without content, counts and deletes them', async () => {
    const first = await add([article]);
    const second = await add([article, article]);
    const page = await t.call(token, '/cgi-bin/draft/batchget', { offset: 0, count: 20, no_content: 1 });
    expect(page).toMatchObject({ total_count: 2, item_count: 2 });
    expect(page.item.map((i: { media_id: string }) => i.media_id)).toEqual([second.media_id, first.media_id]);
    expect(page.item[0].content.news_item[0].content).toBeUndefined();
    expect((await t.call(token, '/cgi-bin/draft/delete', { media_id: first.media_id })).errcode).toBe(0);
    const count = await fetch(`${t.sandbox.url}/cgi-bin/draft/count?access_token=${token}`);
    expect(await count.json()).toEqual({ total_count: 1 });
    expect((await t.call(token, '/cgi-bin/draft/get', { media_id: first.media_id })).errcode).toBe(40007);
  });

  it('sends a draft as mpnews, then drops it from the draft box: a second send is 40007', async () => {
    const draft = await add([article, article, article]);
    const send = { filter: { is_to_all: false, tag_id: 100 }, msgtype: 'mpnews', mpnews: { media_id: draft.media_id } };
    const sent = await t.call(token, SENDALL, send);
    expect(sent.errcode).toBe(0);
    expect(t.sandbox.messages()[0]?.articleUrls).toHaveLength(3);
    expect((await t.call(token, '/cgi-bin/draft/get', { media_id: draft.media_id })).errcode).toBe(40007);
    expect((await t.call(token, SENDALL, { ...send, clientmsgid: 'again' })).errcode).toBe(40007);
    expect(t.sandbox.state().media.find((m) => m.mediaId === draft.media_id)?.sentAt).toEqual(expect.any(Number));
  });
});
