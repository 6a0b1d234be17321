import { describe, expect, it, vi } from 'vitest';
import type { MassSendJobReport } from '../../../shared/callback/mass-send-job-finish';
import { readMassReport, recordMassReport } from '../../../shared/callback/mass-report-store';
import { createMemoryStore } from '../../../shared/store/memory-store';

function report(msgId: string): MassSendJobReport {
  return {
    msgId,
    status: { kind: 'success' },
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

  it('answers null for a 21-digit or non-decimal id without asking the store', async () => {
    const store = createMemoryStore();
    const get = vi.spyOn(store, 'get');
    expect(await readMassReport(store, '184467440737095516159')).toBeNull();
    expect(await readMassReport(store, '12a')).toBeNull();
    expect(get).not.toHaveBeenCalled();
  });
});
