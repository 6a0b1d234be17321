import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errcodeTable, readmeErrcodeTable } from '../../scripts/errcode-table';
import { SEND_OUTCOMES } from '../../shared/api/send-outcomes';
import { WECHAT_ERRORS } from '../../shared/api/wechat-errors';

describe('the README errcode table', () => {
  it('is the table the code uses (run `npx tsx scripts/errcode-table.ts --write` after changing it)', () => {
    const readme = readFileSync(resolve(import.meta.dirname, '../../README.md'), 'utf8');
    expect(readmeErrcodeTable(readme)).toBe(errcodeTable());
  });

  it('lists every mapped errcode with its HTTP status', () => {
    const table = errcodeTable();
    for (const [errcode, rule] of Object.entries(WECHAT_ERRORS)) {
      expect(table).toContain(`| ${rule.when ?? errcode} | ${rule.status}`);
    }
  });

  it('lists every send outcome as not an error, before the failure of the same errcode', () => {
    const table = errcodeTable();
    for (const [errcode, rule] of Object.entries(SEND_OUTCOMES)) {
      expect(table).toContain(`| ${errcode} (a send) | ${rule.status} | not an error: ${rule.answer} |`);
    }
    expect(table.indexOf('| 45065 (a send) | 200')).toBeLessThan(
      table.indexOf('| 45065 without the earlier msg_id | 409'),
    );
  });
});
