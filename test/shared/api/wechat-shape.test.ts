import { describe, expect, it } from 'vitest';
import { compact, flag } from '../../../shared/api/wechat-shape';

describe('flag', () => {
  it('turns true and false into 1 and 0 and leaves undefined unset', () => {
    expect([flag(true), flag(false), flag(undefined)]).toEqual([1, 0, undefined]);
  });
});

describe('compact', () => {
  it('drops undefined members and keeps falsy values the caller set', () => {
    const out = compact({ a: 0, b: undefined, c: '', d: null, e: false });
    expect(out).toEqual({ a: 0, c: '', d: null, e: false });
    expect(Object.keys(out)).not.toContain('b');
  });
});
