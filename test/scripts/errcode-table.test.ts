import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errcodeTable, readmeErrcodeTable } from '../../scripts/errcode-table';
import { WECHAT_ERRORS } from '../../shared/api/wechat-errors';

describe('the README errcode table', () => {
  it('is the table the code uses (run `npx tsx scripts/errcode-table.ts --write` after changing it)', () => {
    const readme = readFileSync(resolve(import.meta.dirname, '../../README.md'), 'utf8');
    expect(readmeErrcodeTable(readme)).toBe(errcodeTable());
  });

  it('lists every mapped errcode with its HTTP status', () => {
    const table = errcodeTable();
    for (const [errcode, rule] of Object.entries(WECHAT_ERRORS)) {
      expect(table).toContain(`| ${errcode} | ${rule.status}`);
    }
  });
});
