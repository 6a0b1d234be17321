import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS } from '../../sandbox/server';
import type { SendAnswer } from './support/answers';
import { finishAndReadStatus, startLocalProduct, withAcceptedToken, type LocalProduct } from './support/local-product';

/** Issue 12: answers a user can act on, through the built bundles, the local gateway and the sandbox. */
const service = DEMO_ACCOUNTS.service;

describe('answers a user can act on (demo service account, safe mode)', () => {
  let product: LocalProduct;
  beforeAll(async () => {
    // The sandbox's clock may not run ahead of the callback's timestamp window, so the
    // administrator's 30 minutes are 1.5 s here.
    product = await startLocalProduct({
      account: 'service',
      callbackMode: 'safe',
      sandbox: { confirmationWindowMs: 1_500 },
    });
  });
  afterAll(async () => {
    await product?.close();
  });
  beforeEach(async () => {
    await product.resetSandbox();
  });

  describe("WeChat's status words", () => {
    it.each([
      ['sendsuccess', 'success'],
      ['SendFail', 'fail'],
      ['send success', 'success'],
    ])('reads a MASSSENDJOBFINISH Status of "%s" as %s', async (word, kind) => {
      await withAcceptedToken(product);
      product.local.sandbox.injectFault({ path: '/cgi-bin/message/mass/sendall', kind: 'jobStatus', status: word });
      const sent = await product.call<SendAnswer>('POST', '/send-by-tag', {
        body: { audience: { tagId: 100 }, message: { type: 'text', content: `Status ${word}` } },
      });

      expect(sent.status).toBe(200);
      const status = await finishAndReadStatus(product, sent.body.msgId);
      expect(status.report?.status).toEqual({ kind });
    });
  });

  describe('API mass-send protection in the sandbox', () => {
    it('ends a send to all that the administrator rejects with err(40001) in the recorded report', async () => {
      product.local.sandbox.setProtection(true, service.appid);
      const held = await product.call<{ status: string; errcode: number }>('POST', '/send-by-tag', {
        body: { audience: { all: true }, message: { type: 'text', content: 'To all' }, clientMsgId: 'protected-1' },
      });
      expect(held.status).toBe(202);
      expect(held.body).toMatchObject({ status: 'awaiting_confirmation', errcode: 89504 });

      const decided = product.local.sandbox.decide({ clientMsgId: 'protected-1', decision: 'reject' });
      expect(decided).toBeDefined();
      const status = await finishAndReadStatus(product, String(decided?.msgId));
      expect(status).toMatchObject({
        status: 'SEND_FAIL',
        report: { status: { kind: 'error', code: 40001, reason: 'admin_rejected' } },
      });
    });

    it('ends a send to all nobody confirms within 30 minutes with err(40002)', async () => {
      product.local.sandbox.setProtection(true, service.appid);
      const held = await product.call('POST', '/send-by-tag', {
        body: { audience: { all: true }, message: { type: 'text', content: 'To all' }, clientMsgId: 'protected-2' },
      });
      expect(held.status).toBe(202);
      const [waiting] = product.local.sandbox.awaitingConfirmation();
      expect(waiting).toBeDefined();

      await new Promise((resolve) => setTimeout(resolve, 1_600));
      const status = await finishAndReadStatus(product, String(waiting?.msgId));
      expect(status.report?.status).toEqual({ kind: 'error', code: 40002, reason: 'admin_confirmation_timeout' });
    });
  });
});
