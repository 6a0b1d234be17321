import { describe, expect, it } from 'vitest';
import { batchClientMsgId, batchSizes } from '../../../shared/jobs/batches';
import { OpenIdSet } from '../../../shared/jobs/openid-set';

describe('batchSizes', () => {
  it('cuts 25,001 OpenIDs into 8,334/8,334/8,333', () => {
    expect(batchSizes(25_001)).toEqual([8_334, 8_334, 8_333]);
  });

  it('keeps 10,000 in one batch and splits 10,001 into two near-equal ones, never a batch of one', () => {
    expect(batchSizes(10_000)).toEqual([10_000]);
    expect(batchSizes(10_001)).toEqual([5_001, 5_000]);
    expect(batchSizes(2)).toEqual([2]);
  });

  it('covers every count exactly with batches of 2 to 10,000 whose sizes differ by at most one', () => {
    for (const total of [2, 3, 9_999, 20_000, 20_001, 99_999, 1_000_000, 1_500_000, 1_234_567]) {
      const sizes = batchSizes(total);
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(total);
      expect(Math.max(...sizes)).toBeLessThanOrEqual(10_000);
      expect(Math.min(...sizes)).toBeGreaterThanOrEqual(2);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      expect(sizes).toHaveLength(Math.ceil(total / 10_000));
    }
  });

  it('refuses fewer than 2 OpenIDs', () => {
    expect(() => batchSizes(1)).toThrow(RangeError);
    expect(() => batchSizes(0)).toThrow(RangeError);
  });
});

describe('batchClientMsgId', () => {
  it('is deterministic, distinct per batch and per job, and at most 64 bytes', () => {
    const long = 'x'.repeat(64);
    expect(batchClientMsgId('newsletter', 0)).toBe(batchClientMsgId('newsletter', 0));
    expect(batchClientMsgId('newsletter', 0)).not.toBe(batchClientMsgId('newsletter', 1));
    expect(batchClientMsgId('newsletter', 0)).not.toBe(batchClientMsgId('newsletter-2', 0));
    expect(Buffer.byteLength(batchClientMsgId(long, 149), 'utf8')).toBeLessThanOrEqual(64);
    expect(Buffer.byteLength(batchClientMsgId('通知'.repeat(16), 99_999), 'utf8')).toBeLessThanOrEqual(64);
  });
});

describe('OpenIdSet', () => {
  it('keeps the first occurrence of each OpenID in order and drops repeats', () => {
    const set = new OpenIdSet();
    const added = ['oA', 'oB', 'oA', 'oC', 'oB'].map((id) => set.add(id));
    expect(added).toEqual([true, true, false, true, false]);
    expect([...set.values()]).toEqual(['oA', 'oB', 'oC']);
    expect(set.size).toBe(3);
  });

  it('stays exact across growth: 300,000 distinct OpenIDs, each added twice', () => {
    const set = new OpenIdSet();
    const id = (i: number) => `o${i.toString(36).padStart(27, '_')}`;
    let added = 0;
    let repeated = 0;
    for (let i = 0; i < 300_000; i++) if (set.add(id(i))) added += 1;
    for (let i = 0; i < 300_000; i++) if (!set.add(id(i))) repeated += 1;
    expect(added).toBe(300_000);
    expect(repeated).toBe(300_000);
    expect(set.size).toBe(300_000);
    expect(set.at(0)).toBe(id(0));
    expect(set.at(299_999)).toBe(id(299_999));
  });

  it('tells apart OpenIDs of different lengths with a common prefix', () => {
    const set = new OpenIdSet();
    expect(set.add('oABCDEF')).toBe(true);
    expect(set.add('oABCDE')).toBe(true);
    expect(set.add('oABCDEFG')).toBe(true);
    expect(set.size).toBe(3);
  });
});
