import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS } from '../../sandbox/server';
import type { ErrorAnswer, SendAnswer } from './support/answers';
import { leakedSecrets, startLocalProduct, type LocalProduct } from './support/local-product';

const VIP_TAG = 100;
const BETA_TAG = 101;

describe('the demo subscription account', () => {
  let product: LocalProduct;
  beforeAll(async () => {
    product = await startLocalProduct({ account: 'subscription' });
  });
  afterAll(async () => {
    await product?.close();
  });

  it('sends by tag once a day; the second send of the day gets 429 explaining the quota', async () => {
    const first = await product.call<SendAnswer>('POST', '/send-by-tag', {
      body: { audience: { tagId: VIP_TAG }, message: { type: 'text', content: 'Morning news' } },
    });

    const second = await product.call<ErrorAnswer>('POST', '/send-by-tag', {
      body: { audience: { tagId: BETA_TAG }, message: { type: 'text', content: 'Evening news' } },
    });

    expect(first.status).toBe(200);
    expect(second.status).toBe(429);
    expect(second.body.error).toMatchObject({ code: 'mass_send_quota_exhausted', errcode: 45028 });
    expect(second.body.error.message).toMatch(/subscription account may mass send once a day/);
    expect(product.local.sandbox.messages()).toHaveLength(1);
  });

  it('may send by tag again the next day, when WeChat has also expired the access token', async () => {
    product.local.sandbox.advanceClock(24 * 3_600_000);

    const nextDay = await product.call<SendAnswer>('POST', '/send-by-tag', {
      body: { audience: { tagId: VIP_TAG }, message: { type: 'text', content: 'Next morning' } },
    });

    expect(nextDay.status).toBe(200);
    expect(product.local.sandbox.messages()).toHaveLength(2);
  });

  it('may not send to an OpenID list: 403', async () => {
    const [a, b] = DEMO_ACCOUNTS.subscription.followers;

    const answer = await product.call<ErrorAnswer>('POST', '/send-by-list', {
      body: { openIds: [a, b], message: { type: 'text', content: 'Hi' } },
    });

    expect(answer.status).toBe(403);
    expect(answer.body.error).toMatchObject({ code: 'api_unauthorized', errcode: 48001 });
  });

  it('never writes a secret or an access token to the log', async () => {
    expect(leakedSecrets(product.lines, await product.secrets())).toEqual([]);
  });
});

describe('the demo service account under its mass-send limits', () => {
  let product: LocalProduct;
  beforeAll(async () => {
    product = await startLocalProduct({ account: 'service' });
  });
  afterAll(async () => {
    await product?.close();
  });
  beforeEach(async () => {
    await product.resetSandbox();
  });

  it('sends to all followers 4 times a month; the 5th gets 429 explaining the quota', async () => {
    const statuses: number[] = [];
    let last: { status: number; body: ErrorAnswer } | undefined;

    for (let i = 1; i <= 5; i++) {
      last = await product.call<ErrorAnswer>('POST', '/send-by-tag', {
        body: { audience: { all: true }, message: { type: 'text', content: `Monthly letter ${i}` } },
      });
      statuses.push(last.status);
    }

    expect(statuses).toEqual([200, 200, 200, 200, 429]);
    expect(last!.body.error).toMatchObject({ code: 'mass_send_quota_exhausted', errcode: 45028 });
    expect(last!.body.error.message).toMatch(/service account 4 times a month/);
    expect(product.local.sandbox.messages()).toHaveLength(4);
  });

  it('never writes a secret or an access token to the log', async () => {
    expect(leakedSecrets(product.lines, await product.secrets())).toEqual([]);
  });
});

// A product of its own: its shared limit keeps these 60 calls for a minute of real time.
describe('the demo service account under the shared minute limit', () => {
  let product: LocalProduct;
  beforeAll(async () => {
    product = await startLocalProduct({ account: 'service' });
  });
  afterAll(async () => {
    await product?.close();
  });

  it(
    'accepts 60 sends with distinct clientMsgIds, ' +
      'answers the 61st with 429 and Retry-After without calling WeChat',
    async () => {
      const [a, b] = DEMO_ACCOUNTS.service.followers;
      const statuses: number[] = [];
      let last: { status: number; headers: Headers; body: ErrorAnswer } | undefined;

      for (let i = 1; i <= 61; i++) {
        last = await product.call<ErrorAnswer>('POST', '/send-by-list', {
          body: {
            openIds: [a, b],
            message: { type: 'text', content: `Update ${i}` },
            clientMsgId: `e2e-rate-${Date.now()}-${i}`,
          },
        });
        statuses.push(last.status);
      }

      expect(statuses.slice(0, 60).every((s) => s === 200)).toBe(true);
      expect(last!.status).toBe(429);
      // The shared limit (60 calls in any 61 s) refuses it before WeChat would answer 45011.
      expect(Number(last!.headers.get('retry-after'))).toBeGreaterThanOrEqual(55);
      expect(Number(last!.headers.get('retry-after'))).toBeLessThanOrEqual(61);
      expect(last!.body.error).toMatchObject({ code: 'rate_limited' });
      expect(last!.body.error).not.toHaveProperty('errcode');
      const sends = product.local.sandbox.calls().filter((c) => c.path === '/cgi-bin/message/mass/send');
      expect(sends.filter((c) => c.errcode === 0)).toHaveLength(60);
      expect(sends.filter((c) => c.errcode !== 0)).toHaveLength(0);
      expect(product.local.sandbox.messages()).toHaveLength(60);
    },
  );

  it('never writes a secret or an access token to the log', async () => {
    expect(leakedSecrets(product.lines, await product.secrets())).toEqual([]);
  });
});
