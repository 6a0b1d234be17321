import { describe, expect, it } from 'vitest';
import { SendAt } from '../../../shared/api/job-schemas';
import { describeIssues } from '../../../shared/validation';

const reasons = (text: string) => {
  const result = SendAt.safeParse(text);
  return result.success ? [] : describeIssues(result.error.issues).map((issue) => issue.reason);
};

describe('sendAt', () => {
  it.each([
    '2026-12-01T20:00:00+08:00',
    '2026-12-01T20:00+08:00',
    '2026-12-01T12:00:00.123Z',
    '2028-02-29T09:30:00+08:00',
    '2026-12-31T23:59:59-05:30',
  ])('takes %s', (text) => {
    expect(reasons(text)).toEqual([]);
  });

  // Date.parse reads each of these as another day (2026-02-30 → March 2, T24:00 → the next day).
  it.each([
    '2026-02-30T20:00:00+08:00',
    '2026-02-29T20:00:00+08:00',
    '2026-04-31T20:00:00+08:00',
    '2026-12-01T24:00:00+08:00',
    '2026-12-01T20:60:00+08:00',
    '2026-12-01T20:00:60+08:00',
    '2026-13-01T20:00:00+08:00',
    '2026-00-10T20:00:00+08:00',
    '2026-12-00T20:00:00+08:00',
    '2026-12-01T20:00:00+24:00',
  ])('refuses %s as a day that does not exist', (text) => {
    expect(reasons(text)).toEqual(['is not a valid date']);
  });

  it('still asks for an offset', () => {
    expect(reasons('2026-12-01T20:00:00')).toEqual([
      'must be an RFC 3339 time with an offset, e.g. 2026-12-01T20:00:00+08:00',
    ]);
  });
});
