import { describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS } from '../../sandbox/accounts';
import type { TestSandbox } from './helpers';
import { PREVIEW, SEND, SENDALL, postJson, textToTag, useSandboxPerTest } from './helpers';

const service = DEMO_ACCOUNTS.service;
const subscription = DEMO_ACCOUNTS.subscription;
const stranger = `o${'Z'.repeat(27)}`;
let t: TestSandbox;
let token: string;

useSandboxPerTest(service, (ready) => ({ t, token } = ready));

describe('mass/sendall', () => {
  it('accepts a text to a tag and answers a msg_id above 2^31 as a raw JSON number', async () => {
    const res = await fetch(`${t.sandbox.url}${SENDALL}?access_token=${token}`, {
      method: 'POST',
      body: JSON.stringify(textToTag(100, 'hello')),
    });
    const raw = await res.text();
    expect(raw).toMatch(/"msg_id":3147483649[,}]/);
    expect(JSON.parse(raw)).toMatchObject({ errcode: 0, errmsg: 'send job submission success' });
  });

  it('answers msg_data_id for mpnews', async () => {
    const reply = await t.call(token, SENDALL, {
      filter: { is_to_all: true },
      msgtype: 'mpnews',
      mpnews: { media_id: service.media.news },
      send_ignore_reprint: 0,
    });
    expect(reply.errcode).toBe(0);
    expect(typeof reply.msg_data_id).toBe('number');
  });

  it('rejects is_to_all given as a string with 40008', async () => {
    const reply = await t.call(token, SENDALL, {
      filter: { is_to_all: 'true' },
      msgtype: 'text',
      text: { content: 'x' },
    });
    expect(reply.errcode).toBe(40008);
  });

  it('rejects an unknown tag with 40152', async () => {
    expect((await t.call(token, SENDALL, textToTag(999, 'x'))).errcode).toBe(40152);
  });

  it('rejects an unknown msgtype with 40008', async () => {
    expect(
      (
        await t.call(token, SENDALL, {
          filter: { is_to_all: true },
          msgtype: 'video',
          video: { media_id: service.media.video },
        })
      ).errcode,
    ).toBe(40008);
  });

  it('rejects mpvideo sent under the key video with 40008', async () => {
    expect(
      (
        await t.call(token, SENDALL, {
          filter: { is_to_all: true },
          msgtype: 'mpvideo',
          video: { media_id: service.media.mpvideo },
        })
      ).errcode,
    ).toBe(40008);
  });

  it('rejects a raw video media id in mpvideo with 40007', async () => {
    expect(
      (
        await t.call(token, SENDALL, {
          filter: { is_to_all: true },
          msgtype: 'mpvideo',
          mpvideo: { media_id: service.media.video },
        })
      ).errcode,
    ).toBe(40007);
  });

  it('rejects images under the key image with 40008 and accepts images.media_ids', async () => {
    const wrong = await t.call(token, SENDALL, {
      filter: { is_to_all: true },
      msgtype: 'image',
      image: { media_id: service.media.image },
    });
    expect(wrong.errcode).toBe(40008);
    const right = await t.call(token, SENDALL, {
      filter: { is_to_all: true },
      msgtype: 'image',
      images: { media_ids: [service.media.image] },
    });
    expect(right.errcode).toBe(0);
  });

  it('rejects an unknown media_id with 40007', async () => {
    expect(
      (await t.call(token, SENDALL, { filter: { is_to_all: true }, msgtype: 'voice', voice: { media_id: 'nope' } }))
        .errcode,
    ).toBe(40007);
  });

  it("rejects another account's media_id with 40007", async () => {
    expect(
      (
        await t.call(token, SENDALL, {
          filter: { is_to_all: true },
          msgtype: 'voice',
          voice: { media_id: subscription.media.voice },
        })
      ).errcode,
    ).toBe(40007);
  });

  it('rejects a clientmsgid longer than 64 bytes with 45067', async () => {
    expect((await t.call(token, SENDALL, textToTag(100, 'x', 'c'.repeat(65)))).errcode).toBe(45067);
  });

  it('answers 47001 for malformed JSON and 44002 for an empty body', async () => {
    expect((await t.call(token, SENDALL, '{"filter":')).errcode).toBe(47001);
    expect((await t.call(token, SENDALL, '')).errcode).toBe(44002);
  });

  it('answers 43002 to a GET', async () => {
    const reply = (await (await fetch(`${t.sandbox.url}${SENDALL}?access_token=${token}`)).json()) as {
      errcode: number;
    };
    expect(reply.errcode).toBe(43002);
  });
});

describe('mass/send', () => {
  const body = (touser: unknown): Record<string, unknown> => ({ touser, msgtype: 'text', text: { content: 'hi' } });

  it('accepts a list of two followers', async () => {
    expect((await t.call(token, SEND, body(service.followers.slice(0, 2)))).errcode).toBe(0);
  });

  it('rejects a list of one OpenID with 40130', async () => {
    expect((await t.call(token, SEND, body([service.followers[0]]))).errcode).toBe(40130);
  });

  it('rejects a list of 10,001 OpenIDs with 40130', async () => {
    expect(
      (await t.call(token, SEND, body(Array.from({ length: 10_001 }, (_, i) => `o${String(i).padStart(27, '0')}`))))
        .errcode,
    ).toBe(40130);
  });

  it('rejects a list with no follower with 40003', async () => {
    expect((await t.call(token, SEND, body([stranger, `o${'Y'.repeat(27)}`]))).errcode).toBe(40003);
  });

  it('filters unknown OpenIDs out of a list that has followers', async () => {
    const reply = await t.call(token, SEND, body([service.followers[0], stranger]));
    expect(reply.errcode).toBe(0);
    const [message] = t.sandbox.messages();
    expect(message?.counts).toEqual({ total: 2, filter: 1, sent: 1, error: 0 });
  });

  it('is refused to a subscription account with 48001', async () => {
    const subToken = await t.tokenFor(subscription);
    expect((await t.call(subToken, SEND, body(subscription.followers.slice(0, 2)))).errcode).toBe(48001);
  });
});

describe('mass/preview', () => {
  it('previews a single image to a follower', async () => {
    const reply = await t.call(token, PREVIEW, {
      touser: service.followers[3],
      msgtype: 'image',
      image: { media_id: service.media.image },
    });
    expect(reply).toMatchObject({ errcode: 0, errmsg: 'preview success' });
  });

  it('prefers towxname over touser', async () => {
    const reply = await t.call(token, PREVIEW, {
      touser: stranger,
      towxname: 'sandbox_bob',
      msgtype: 'text',
      text: { content: 'hi' },
    });
    expect(reply.errcode).toBe(0);
    const [message] = t.sandbox.messages();
    expect(message?.audience).toEqual({ type: 'preview', openid: service.followers[1], towxname: 'sandbox_bob' });
  });

  it('rejects an OpenID that does not follow the account with 40003', async () => {
    expect((await t.call(token, PREVIEW, { touser: stranger, msgtype: 'text', text: { content: 'hi' } })).errcode).toBe(
      40003,
    );
  });

  it('rejects an unknown WeChat ID with 40132', async () => {
    expect(
      (await t.call(token, PREVIEW, { towxname: 'nobody', msgtype: 'text', text: { content: 'hi' } })).errcode,
    ).toBe(40132);
  });

  it('rejects a WeChat ID that names a property every object has with 40132, storing nothing', async () => {
    for (const towxname of ['toString', 'valueOf', 'constructor', '__proto__']) {
      const reply = await t.call(token, PREVIEW, { towxname, msgtype: 'text', text: { content: 'hi' } });
      expect(reply.errcode, towxname).toBe(40132);
    }
    expect(() => t.sandbox.messages()).not.toThrow();
  });
});

describe('unknown paths', () => {
  it('answers 40066 under /cgi-bin and HTTP 404 elsewhere', async () => {
    expect((await t.call(token, '/cgi-bin/message/mass/nope')).errcode).toBe(40066);
    expect((await postJson(`${t.sandbox.url}/elsewhere`, {})).status).toBe(404);
  });
});
