import { describe, expect, it } from 'vitest';
import { memoizeAsyncValue } from '../../../shared/runtime/memoize';

describe('memoizeAsyncValue', () => {
  it('builds once: a promise until the value is there, then the value itself', async () => {
    let builds = 0;
    const get = memoizeAsyncValue(async () => ({ built: ++builds }));
    const first = get();
    expect(first).toBeInstanceOf(Promise);
    expect(get()).toBe(first);
    const value = await first;
    expect(get()).toBe(value);
    expect(builds).toBe(1);
  });

  it('does not keep a failed build', async () => {
    let attempt = 0;
    const get = memoizeAsyncValue(async () => {
      attempt += 1;
      if (attempt === 1) throw new Error('not yet');
      return attempt;
    });
    await expect(get()).rejects.toThrow('not yet');
    expect(await get()).toBe(2);
    expect(get()).toBe(2);
  });

  it('forgets the value on reset, also one whose build was still running', async () => {
    let builds = 0;
    let release: () => void = () => {};
    const get = memoizeAsyncValue(async () => {
      builds += 1;
      if (builds === 1) await new Promise<void>((resolve) => (release = resolve));
      return builds;
    });
    const stale = get();
    get.reset();
    release();
    expect(await stale).toBe(1);
    expect(await get()).toBe(2);
    expect(get()).toBe(2);
  });
});
