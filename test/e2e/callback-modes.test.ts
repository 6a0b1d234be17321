import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SendAnswer, StatusAnswer } from './support/answers';
import { eventually, leakedSecrets, startLocalProduct, type LocalProduct } from './support/local-product';

// Tag 100 "vip" holds the demo service account's followers 0–9.
const VIP_TAG = 100;

describe.each(['safe', 'plain', 'compat'] as const)('a send to a tag with the callback in %s mode', (mode) => {
  let product: LocalProduct;
  beforeAll(async () => {
    product = await startLocalProduct({ callbackMode: mode });
  });
  afterAll(async () => {
    await product?.close();
  });

  it(
    'is accepted, pushed to the callback as WeChat would, ' + 'and reported by status with SEND_SUCCESS and counts',
    async () => {
      const { sandbox } = product.local;

      const sent = await product.call<SendAnswer>('POST', '/send-by-tag', {
        body: { audience: { tagId: VIP_TAG }, message: { type: 'text', content: `Hello in ${mode} mode` } },
      });
      expect(sent.status).toBe(200);
      const { msgId } = sent.body;
      expect(msgId).toMatch(/^\d+$/);
      expect(sandbox.finishJobs()).toEqual([Number(msgId)]);
      await sandbox.waitForPushes();

      expect(sandbox.pushes()).toMatchObject([
        { msgId: Number(msgId), mode, attempt: 1, outcome: 'delivered', httpStatus: 200 },
      ]);
      const status = await eventually(
        async () => {
          const answer = await product.call<StatusAnswer>('GET', `/status?msgId=${msgId}`);
          return answer.body.report ? answer : undefined;
        },
        3_000,
        'the recorded report',
      );
      expect(status.status).toBe(200);
      expect(status.body).toEqual({
        msgId,
        status: 'SEND_SUCCESS',
        source: 'report',
        report: expect.objectContaining({
          msgId,
          status: { kind: 'success' },
          counts: { total: 10, filter: 10, sent: 10, error: 0 },
        }),
      });
    },
  );

  it('never writes a secret or an access token to the log', async () => {
    expect(product.lines.length).toBeGreaterThan(0);
    expect(leakedSecrets(product.lines, await product.secrets())).toEqual([]);
  });
});
