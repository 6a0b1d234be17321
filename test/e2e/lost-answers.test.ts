import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorAnswer, SendAnswer } from './support/answers';
import { leakedSecrets, startLocalProduct, type LocalProduct } from './support/local-product';

const VIP_TAG = 100;

describe('a send whose answer from WeChat is lost', () => {
  let product: LocalProduct;
  const timeoutBefore = process.env.WECHAT_TIMEOUT_MS;
  beforeAll(async () => {
    // startLocal hands its own environment to the function containers; one second keeps the
    // lost answer short. This file runs in its own process.
    process.env.WECHAT_TIMEOUT_MS = '1000';
    product = await startLocalProduct({ account: 'service' });
  });
  afterAll(async () => {
    if (timeoutBefore === undefined) delete process.env.WECHAT_TIMEOUT_MS;
    else process.env.WECHAT_TIMEOUT_MS = timeoutBefore;
    await product?.close();
  });

  it(
    'is 504 outcome_unknown, then 429 while WeChat holds the clientMsgId, ' +
      'then the first msgId with duplicate: true; one message in all',
    async () => {
      const { sandbox } = product.local;
      const request = {
        audience: { tagId: VIP_TAG },
        message: { type: 'text', content: 'Did it go out?' },
        clientMsgId: `e2e-lost-${Date.now()}`,
      };
      // WeChat runs the send, then its answer never arrives.
      sandbox.injectFault({ path: '/cgi-bin/message/mass/sendall', kind: 'timeout', delayMs: 5_000 });

      const lost = await product.call<ErrorAnswer>('POST', '/send-by-tag', { body: request });
      const tooSoon = await product.call<ErrorAnswer>('POST', '/send-by-tag', { body: request });
      sandbox.advanceClock(61_000);
      const later = await product.call<SendAnswer>('POST', '/send-by-tag', { body: request });

      expect(lost.status).toBe(504);
      expect(lost.body.error.code).toBe('outcome_unknown');
      expect(tooSoon.status).toBe(429);
      expect(tooSoon.headers.get('retry-after')).toBe('60');
      expect(tooSoon.body.error).toMatchObject({ code: 'clientmsgid_retry_too_fast', errcode: 45066 });
      const messages = sandbox.messages();
      expect(messages).toHaveLength(1);
      expect(later.status).toBe(200);
      expect(later.body).toEqual({
        msgId: String(messages[0]!.msgId),
        clientMsgId: request.clientMsgId,
        duplicate: true,
      });
    },
  );

  it('never writes a secret or an access token to the log', async () => {
    expect(leakedSecrets(product.lines, await product.secrets())).toEqual([]);
  });
});
