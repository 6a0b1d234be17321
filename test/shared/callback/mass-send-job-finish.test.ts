import { describe, expect, it } from 'vitest';
import { MassSendJobFinishEvent, toMassSendJobReport } from '../../../shared/callback/mass-send-job-finish';
import { parseXml, type XmlValue } from '../../../shared/callback/xml';
import { massSendJobFinish } from '../../fixtures/mass-send-job-finish';

// The largest 64-bit id WeChat could hand out: 20 digits.
const MAX_U64 = '18446744073709551615';

function tree(xml: string): XmlValue {
  return parseXml(xml, { maxBytes: 64 * 1024 }).value;
}

describe('MassSendJobFinishEvent', () => {
  it('accepts a MsgID of 1 and of 20 digits', () => {
    expect(MassSendJobFinishEvent.safeParse(tree(massSendJobFinish({ msgId: '7' }))).success).toBe(true);
    expect(MassSendJobFinishEvent.safeParse(tree(massSendJobFinish({ msgId: MAX_U64 }))).success).toBe(true);
  });

  it('refuses a MsgID of 21 digits, which no 64-bit id has', () => {
    const parsed = MassSendJobFinishEvent.safeParse(tree(massSendJobFinish({ msgId: `${MAX_U64}9` })));
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['MsgID']);
  });

  it('refuses a 20-digit MsgID past 2^64 − 1 and one with leading zeros, as /status and WeChat do', () => {
    for (const msgId of ['18446744073709551616', '03147494552']) {
      const parsed = MassSendJobFinishEvent.safeParse(tree(massSendJobFinish({ msgId })));
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues[0]?.path).toEqual(['MsgID']);
    }
  });
});

describe('toMassSendJobReport', () => {
  it('keeps a 20-digit MsgID exact and names the counts', () => {
    const event = MassSendJobFinishEvent.parse(tree(massSendJobFinish({ msgId: MAX_U64 })));
    expect(toMassSendJobReport(event)).toEqual({
      msgId: MAX_U64,
      status: { kind: 'success' },
      createTime: 1700000000,
      toUserName: 'gh_4d00ed8d6399',
      fromUserName: 'mphelper',
      counts: { total: 120, filter: 118, sent: 117, error: 1 },
    });
  });
});
