import { describe, expect, it } from 'vitest';
import { SEND_OUTCOMES, SendOutcome, sendOutcomeOf } from '../../../shared/api/send-outcomes';
import { WeChatApiError } from '../../../shared/wechat/errors';

const SENDALL = '/cgi-bin/message/mass/sendall';

describe('sendOutcomeOf', () => {
  it('reads 45065 with the earlier msg_id as sent, duplicate', () => {
    const err = new WeChatApiError(45065, 'clientmsgid exist', SENDALL, { msg_id: '3147483650' });
    expect(sendOutcomeOf(err)).toEqual({ kind: 'sent', msgId: '3147483650', duplicate: true });
  });

  it('leaves 45065 without a readable msg_id to the errcode table', () => {
    for (const body of [{}, { msg_id: '' }, { msg_id: '0123' }, { msg_id: 5 }]) {
      expect(sendOutcomeOf(new WeChatApiError(45065, 'clientmsgid exist', SENDALL, body))).toBeUndefined();
    }
  });

  it('reads every awaiting-confirmation errcode of the table as awaiting confirmation', () => {
    const awaiting = Object.entries(SEND_OUTCOMES).filter(([, rule]) => rule.kind === 'awaiting_confirmation');
    expect(awaiting.map(([errcode]) => Number(errcode))).toEqual([89504, 89505]);
    for (const [errcode] of awaiting) {
      const err = new WeChatApiError(Number(errcode), 'waiting for admin confirmation', SENDALL);
      expect(sendOutcomeOf(err)).toEqual({ kind: 'awaiting_confirmation', errcode: Number(errcode) });
    }
  });

  it('answers undefined for a failure', () => {
    expect(sendOutcomeOf(new WeChatApiError(45011, 'api minute-quota reach limit', SENDALL))).toBeUndefined();
  });
});

describe('SendOutcome', () => {
  it('reads back what a send record holds, and refuses anything else', () => {
    expect(SendOutcome.parse({ kind: 'sent', msgId: '34182', msgDataId: '206227730' })).toEqual({
      kind: 'sent',
      msgId: '34182',
      msgDataId: '206227730',
    });
    expect(SendOutcome.safeParse({ kind: 'sent', msgId: 34182 }).success).toBe(false);
    expect(SendOutcome.safeParse({ kind: 'awaiting_confirmation' }).success).toBe(false);
  });
});
