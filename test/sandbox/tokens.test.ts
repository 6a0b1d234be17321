import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS } from '../../sandbox/accounts';
import type { Reply, TestSandbox } from './helpers';
import { GET_STATUS, getJson, postJson, startTestSandbox } from './helpers';

const service = DEMO_ACCOUNTS.service;
let t: TestSandbox;

beforeEach(async () => {
  t = await startTestSandbox();
});
afterEach(async () => {
  await t.sandbox.close();
});

function tokenUrl(appid: string, secret: string, grantType = 'client_credential'): string {
  return `${t.sandbox.url}/cgi-bin/token?grant_type=${grantType}&appid=${appid}&secret=${secret}`;
}

async function stable(body: Reply): Promise<Reply> {
  return (await postJson(`${t.sandbox.url}/cgi-bin/stable_token`, { grant_type: 'client_credential', ...body })).json;
}

async function statusWith(token: string): Promise<number> {
  return (await t.call(token, GET_STATUS, { msg_id: 1 })).errcode as number;
}

describe('GET /cgi-bin/token', () => {
  it('issues a token that lives 7200 seconds', async () => {
    const reply = await getJson(tokenUrl(service.appid, service.secret));
    expect(reply.expires_in).toBe(7200);
    expect(reply.access_token).toMatch(/^[A-Za-z0-9_-]{100,}$/);
  });

  it('answers 40013 for an unknown appid', async () => {
    expect((await getJson(tokenUrl('wx0000000000000000', service.secret))).errcode).toBe(40013);
  });

  it('answers 40001 invalid credential for a wrong secret', async () => {
    const reply = await getJson(tokenUrl(service.appid, 'wrong-secret'));
    expect(reply.errcode).toBe(40001);
    expect(reply.errmsg).toContain('invalid credential');
  });

  it('answers 40002 for a grant_type other than client_credential', async () => {
    expect((await getJson(tokenUrl(service.appid, service.secret, 'password'))).errcode).toBe(40002);
  });

  it('expires a token after its lifetime with 42001', async () => {
    const token = await t.tokenFor(service);
    t.sandbox.advanceClock(7200 * 1000);
    expect(await statusWith(token)).toBe(42001);
  });

  it('keeps a replaced token working for 5 minutes, then answers 40001', async () => {
    const first = await t.tokenFor(service);
    await t.tokenFor(service);
    t.sandbox.advanceClock(299_000);
    expect(await statusWith(first)).toBe(40059);
    t.sandbox.advanceClock(2_000);
    expect(await statusWith(first)).toBe(40001);
  });

  it('answers 41001 when access_token is missing and 40001 when unknown', async () => {
    const missing = await postJson(`${t.sandbox.url}${GET_STATUS}`, { msg_id: 1 });
    expect(missing.json.errcode).toBe(41001);
    expect(await statusWith('not-a-token')).toBe(40001);
  });
});

describe('POST /cgi-bin/stable_token', () => {
  it('returns the same token while it is valid, with the remaining lifetime', async () => {
    const first = await stable({ appid: service.appid, secret: service.secret });
    t.sandbox.advanceClock(1000 * 1000);
    const second = await stable({ appid: service.appid, secret: service.secret });
    expect(second.access_token).toBe(first.access_token);
    expect(second.expires_in).toBe(6200);
  });

  it('is not invalidated by a classic token call', async () => {
    const first = await stable({ appid: service.appid, secret: service.secret });
    await t.tokenFor(service);
    t.sandbox.advanceClock(600_000);
    expect(await statusWith(first.access_token)).toBe(40059);
  });

  it('issues a new token on force_refresh and rejects the old one', async () => {
    const first = await stable({ appid: service.appid, secret: service.secret });
    const second = await stable({ appid: service.appid, secret: service.secret, force_refresh: true });
    expect(second.access_token).not.toBe(first.access_token);
    expect(await statusWith(first.access_token)).toBe(40001);
    expect(await statusWith(second.access_token)).toBe(40059);
  });

  it('refuses a second force_refresh within 30 seconds with 45011', async () => {
    await stable({ appid: service.appid, secret: service.secret, force_refresh: true });
    const again = await stable({ appid: service.appid, secret: service.secret, force_refresh: true });
    expect(again.errcode).toBe(45011);
  });

  it('refuses the 21st force_refresh of a day with 45009', async () => {
    for (let i = 0; i < 20; i += 1) {
      expect(
        (await stable({ appid: service.appid, secret: service.secret, force_refresh: true })).access_token,
      ).toBeDefined();
      t.sandbox.advanceClock(31_000);
    }
    expect((await stable({ appid: service.appid, secret: service.secret, force_refresh: true })).errcode).toBe(45009);
  });

  it('answers 40001 for a wrong secret', async () => {
    expect((await stable({ appid: service.appid, secret: 'nope' })).errcode).toBe(40001);
  });
});
