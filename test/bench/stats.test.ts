import { describe, expect, it } from 'vitest';
import { median, percentile, summarize } from '../../bench/stats';

describe('median', () => {
  it('takes the middle sample of an odd count', () => {
    expect(median([5, 1, 3])).toBe(3);
  });

  it('averages the two middle samples of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('refuses an empty list', () => {
    expect(() => median([])).toThrow(RangeError);
  });
});

describe('percentile', () => {
  it('uses the nearest rank, so p99 of 100 samples is the 99th smallest', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(samples, 99)).toBe(99);
    expect(percentile(samples, 100)).toBe(100);
  });

  it('gives the only sample for any p', () => {
    expect(percentile([7], 1)).toBe(7);
    expect(percentile([7], 99)).toBe(7);
  });

  it("does not reorder the caller's samples", () => {
    const samples = [3, 1, 2];
    percentile(samples, 50);
    expect(samples).toEqual([3, 1, 2]);
  });
});

describe('summarize', () => {
  it('reports count, extremes, p50 and p99', () => {
    expect(summarize([2, 4, 6, 8])).toEqual({ n: 4, min: 2, p50: 5, p99: 8, max: 8 });
  });
});
