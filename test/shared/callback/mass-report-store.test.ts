import { describe, expect, it, vi } from 'vitest';
import { massReportKey, readMassReport, recordMassReport } from '../../../shared/reports/mass-report-store';
import { StatusResponse } from '../../../shared/api/schemas';
import type { MassSendJobReport } from '../../../shared/reports/mass-send-job-report';
import { createMemoryStore } from '../../../shared/store/memory-store';
import { MsgId } from '../../../shared/wechat/msg-id';

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
    await recordMassReport(store, report('18446744073709551615'));
    expect(await readMassReport(store, '18446744073709551615')).toEqual(report('18446744073709551615'));
  });

  it('answers null for a 21-digit, zero-led or non-decimal id without asking the store', async () => {
    const store = createMemoryStore();
    const get = vi.spyOn(store, 'get');
    expect(await readMassReport(store, '184467440737095516159')).toBeNull();
    expect(await readMassReport(store, '03147494552')).toBeNull();
    expect(await readMassReport(store, '12a')).toBeNull();
    expect(get).not.toHaveBeenCalled();
  });

  it('reads back an undocumented Status, and the status answer accepts it', async () => {
    const store = createMemoryStore();
    const unrecognised = report('3147494552', { kind: 'unrecognised', text: 'sent, mostly' });
    await recordMassReport(store, unrecognised);
    const read = await readMassReport(store, '3147494552');
    expect(read).toEqual(unrecognised);
    const answer = { msgId: '3147494552', status: 'SEND_SUCCESS', source: 'wechat', report: read };
    expect(StatusResponse.safeParse(answer).success).toBe(true);
  });

  it('refuses a record that is not a report, naming the msgId', async () => {
    const store = createMemoryStore();
    await store.set(massReportKey('7'), JSON.stringify({ ...report('7'), counts: { total: 'many' } }));
    await expect(readMassReport(store, '7')).rejects.toThrow('stored mass report for 7 is unreadable');
    await store.set(massReportKey('8'), '{not json');
    await expect(readMassReport(store, '8')).rejects.toThrow('stored mass report for 8 is not JSON');
  });

  it('refuses a report stored under another msgId', async () => {
    const store = createMemoryStore();
    await store.set(massReportKey('9'), JSON.stringify(report('10')));
    await expect(readMassReport(store, '9')).rejects.toThrow('unreadable');
  });

  it('keeps only the schema fields of a record written with extra ones', async () => {
    const store = createMemoryStore();
    await store.set(massReportKey('11'), JSON.stringify({ ...report('11'), addedLater: true }));
    expect(await readMassReport(store, '11')).toEqual(report('11'));
  });
});
