import { describe, expect, it } from 'vitest';
import { createLogger } from '../../shared/log';

describe('createLogger', () => {
  it("never copies an error's input into the line (node's URL errors carry the whole URL)", () => {
    const lines: string[] = [];
    const log = createLogger({}, (line) => lines.push(line));
    let err: unknown;
    try {
      new URL('redis://:pass-word-0001@[bad-host/0');
    } catch (e) {
      err = e;
    }
    expect((err as { input?: string }).input).toContain('pass-word-0001');
    log.error('store failed', { err: new Error('the shared store failed', { cause: err }) });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('ERR_INVALID_URL');
    expect(lines[0]).not.toContain('pass-word-0001');
  });
});
