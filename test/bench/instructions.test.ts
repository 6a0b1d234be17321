import { describe, expect, it } from 'vitest';
import { countedCommand, parseInstructionCount } from '../../bench/instructions';

describe('bench:instructions', () => {
  it("reads cachegrind's instruction total among the child's own stderr", () => {
    const stderr = [
      '==4711== Cachegrind, a cache and branch-prediction profiler',
      '{"level":"warn","message":"I refs: is not a count"}',
      '==4711== ',
      '==4711== I   refs:      164,812,345',
    ].join('\n');
    expect(parseInstructionCount(stderr)).toBe(164_812_345);
  });

  it('reports no count when valgrind printed none (a crash before the summary)', () => {
    expect(parseInstructionCount('==4711== Cachegrind\nSegmentation fault')).toBeUndefined();
  });

  it('runs node with a fixed random seed and no address randomisation, and leaves the hash seed alone', () => {
    const command = countedCommand(['-e', '']);
    expect(command.slice(0, 3)).toEqual(['setarch', expect.stringMatching(/^(x86_64|aarch64)$/), '-R']);
    expect(command).toContain('--random-seed=1');
    expect(command.some((arg) => arg.startsWith('--hash-seed'))).toBe(false);
    expect(command.slice(-2)).toEqual(['-e', '']);
    expect(command[command.indexOf('--random-seed=1') - 1]).toBe(process.execPath);
  });
});
