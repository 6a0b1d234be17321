/**
 * Prints the errcode → HTTP table of shared/api/wechat-errors.ts as Markdown. The README holds
 * the same table between markers; test/scripts/errcode-table.test.ts keeps the two equal.
 *   npx tsx scripts/errcode-table.ts --write   (rewrites the README's copy)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SEND_OUTCOMES } from '../shared/api/send-outcomes';
import { FAILURE_RULES, WECHAT_ERRORS } from '../shared/api/wechat-errors';

const cell = (text: string) => text.replace(/\|/g, '\\|');

/** Send outcomes and failures by errcode (an outcome before the failure of the same errcode), then the rest. */
export function errcodeTable(): string {
  const outcomes = Object.entries(SEND_OUTCOMES).map(([errcode, rule]) => ({
    errcode: Number(errcode),
    order: 0,
    row: `| ${errcode} (a send) | ${rule.status} | not an error: ${rule.answer} | ${cell(rule.message)} |`,
  }));
  const errors = Object.entries(WECHAT_ERRORS).map(([errcode, rule]) => {
    const retry = rule.retryAfterSeconds ? ` (Retry-After: ${rule.retryAfterSeconds})` : '';
    return {
      errcode: Number(errcode),
      order: 1,
      row: `| ${rule.when ?? errcode} | ${rule.status}${retry} | \`${rule.code}\` | ${cell(rule.message)} |`,
    };
  });
  const rows = [...outcomes, ...errors]
    .sort((a, b) => a.errcode - b.errcode || a.order - b.order)
    .map(({ row }) => row);
  const failures = Object.values(FAILURE_RULES).map(
    (rule) => `| ${rule.when} | ${rule.status} | \`${rule.code}\` | ${cell(rule.message)} |`,
  );
  return [
    '| WeChat errcode | HTTP | `error.code` | what it tells the caller |',
    '|---|---|---|---|',
    ...rows,
    ...failures,
  ].join('\n');
}

const START = '<!-- errcode-table:start -->';
const END = '<!-- errcode-table:end -->';

/** The table as the README holds it, or undefined when the markers are missing. */
export function readmeErrcodeTable(readme: string): string | undefined {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  return start < 0 || end < start ? undefined : readme.slice(start + START.length, end).trim();
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  if (process.argv.includes('--write')) {
    const file = resolve(import.meta.dirname, '..', 'README.md');
    const readme = readFileSync(file, 'utf8');
    const start = readme.indexOf(START) + START.length;
    writeFileSync(file, `${readme.slice(0, start)}\n${errcodeTable()}\n${readme.slice(readme.indexOf(END))}`);
  } else {
    console.log(errcodeTable());
  }
}
