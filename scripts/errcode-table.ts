/**
 * Prints the errcode → HTTP table of shared/api/wechat-errors.ts as Markdown. The README holds
 * the same table between markers; test/scripts/errcode-table.test.ts keeps the two equal.
 *   npx tsx scripts/errcode-table.ts --write   (rewrites the README's copy)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { FAILURE_RULES, WECHAT_ERRORS } from '../shared/api/wechat-errors';

export function errcodeTable(): string {
  const rows = Object.entries(WECHAT_ERRORS)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([errcode, rule]) => {
      const retry = rule.retryAfterSeconds ? ` (Retry-After: ${rule.retryAfterSeconds})` : '';
      return `| ${errcode} | ${rule.status}${retry} | \`${rule.code}\` | ${rule.message.replace(/\|/g, '\\|')} |`;
    });
  const failures = Object.values(FAILURE_RULES).map(
    (rule) => `| ${rule.when} | ${rule.status} | \`${rule.code}\` | ${rule.message.replace(/\|/g, '\\|')} |`,
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
