import { describe, expect, it, vi } from 'vitest';
import { massReportKey, readMassReport, recordMassReport } from '../../../shared/reports/mass-report-store';
import { StatusResponse } from '../../../shared/api/schemas';
import type { MassSendJobReport } from '../../../shared/reports/mass-send-job-report';
import { createMemoryStore } from '../../../shared/store/memory-store';
import { MsgId } from '../../../shared/wechat/msg-id';

const APP_ID = 'wx0123456789abcdef';
const OTHER_APP_ID = 'wxfedcba9876543210';

function report(msgId: string, status: MassSendJobReport['status'] = { kind: 'success' }): MassSendJobReport {
  return {
    msgId: MsgId.parse(msgId),
    status,
    createTime: 1700000000,
    toUserName: 'gh_4d00ed8d6399',
    fromUserName: 'mphelper',
    counts: { total: 1, filter: 1, sent: 1, error: 0 },
  };
}

describe('readMassReport', () => {
  it('reads back a report recorded under a 20-digit MsgID, the longest the callback accepts', async () => {
    const store = createMemoryStore();
    await recordMassReport(store, APP_ID, report('18446744073709551615'));
    expect(await readMassReport(store, APP_ID, '18446744073709551615')).toEqual(report('18446744073709551615'));
  });

  it("keeps each account's reports apart: one Redis may serve several Official Accounts", async () => {
    const store = createMemoryStore();
    expect(await recordMassReport(store, APP_ID, report('1000000001'))).toBe(true);
    expect(await recordMassReport(store, OTHER_APP_ID, { ...report('1000000001'), toUserName: 'gh_other' })).toBe(true);
    expect(await readMassReport(store, APP_ID, '1000000001')).toEqual(report('1000000001'));
    expect((await readMassReport(store, OTHER_APP_ID, '1000000001'))?.toUserName).toBe('gh_other');
    expect(await readMassReport(store, 'wx9999999999999999', '1000000001')).toBeNull();
  });

  it('answers null for a 21-digit, zero-led or non-decimal id without asking the store', async () => {
    const store = createMemoryStore();
    const get = vi.spyOn(store, 'get');
    expect(await readMassReport(store, APP_ID, '184467440737095516159')).toBeNull();
    expect(await readMassReport(store, APP_ID, '03147494552')).toBeNull();
    expect(await readMassReport(store, APP_ID, '12a')).toBeNull();
    expect(get).not.toHaveBeenCalled();
  });

  it('reads back an undocumented Status, and the status answer accepts it', async () => {
    const store = createMemoryStore();
    const unrecognised = report('3147494552', { kind: 'unrecognised', text: 'sent, mostly' });
    await recordMassReport(store, APP_ID, unrecognised);
    const read = await readMassReport(store, APP_ID, '3147494552');
    expect(read).toEqual(unrecognised);
    const answer = { msgId: '3147494552', status: 'SEND_SUCCESS', source: 'wechat', report: read };
    expect(StatusResponse.safeParse(answer).success).toBe(true);
  });

  it('refuses a record that is not a report, naming the msgId', async () => {
    const store = createMemoryStore();
    await store.set(massReportKey(APP_ID, '7'), JSON.stringify({ ...report('7'), counts: { total: 'many' } }));
    await expect(readMassReport(store, APP_ID, '7')).rejects.toThrow('stored mass report for 7 is unreadable');
    await store.set(massReportKey(APP_ID, '8'), '{not json');
    await expect(readMassReport(store, APP_ID, '8')).rejects.toThrow('stored mass report for 8 is not JSON');
  });

  it('refuses a report stored under another msgId', async () => {
    const store = createMemoryStore();
    await store.set(massReportKey(APP_ID, '9'), JSON.stringify(report('10')));
    await expect(readMassReport(store, APP_ID, '9')).rejects.toThrow('unreadable');
  });

  it('keeps only the schema fields of a record written with extra ones', async () => {
    const store = createMemoryStore();
    await store.set(massReportKey(APP_ID, '11'), JSON.stringify({ ...report('11'), addedLater: true }));
    expect(await readMassReport(store, APP_ID, '11')).toEqual(report('11'));
  });
});
