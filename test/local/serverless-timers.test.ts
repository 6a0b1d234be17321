import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cronMatches, readTimerTriggers } from '../../local/serverless-timers';

describe('readTimerTriggers', () => {
  it('finds the refresh-token timer declared in serverless.yml', () => {
    const timers = readTimerTriggers(resolve(import.meta.dirname, '../../serverless.yml'));
    expect(timers).toContainEqual({ function: 'refresh-token', name: 'refresh-token', cron: '0 */5 * * * * *', argument: undefined });
  });
});

describe('cronMatches', () => {
  const at = (iso: string) => new Date(iso);
  it('matches SCF seven-field expressions with steps, lists and ranges', () => {
    expect(cronMatches('0 */5 * * * * *', at('2026-11-23T12:05:00'))).toBe(true);
    expect(cronMatches('0 */5 * * * * *', at('2026-11-23T12:06:00'))).toBe(false);
    expect(cronMatches('0 */5 * * * * *', at('2026-11-23T12:05:01'))).toBe(false);
    expect(cronMatches('30 0 9-17 * * 1,3 *', at('2026-11-23T10:00:30'))).toBe(true); // a Monday
    expect(cronMatches('30 0 9-17 * * 1,3 *', at('2026-11-24T10:00:30'))).toBe(false);
  });
  it('rejects a five-field Unix cron', () => {
    expect(() => cronMatches('*/5 * * * *', new Date())).toThrow(/7 fields/);
  });
});
