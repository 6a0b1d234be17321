// Biome formats code at 120 columns but never breaks a string, a template or a comment, so this check covers
// what it leaves: every line of every source file (tracked or new, not ignored) is at most 120 characters.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const MAX = 120;
const SOURCE = /\.(ts|cjs|mjs|js)$/;

// A file in a merge conflict is listed once per stage: count it once.
const listed = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
  encoding: 'utf8',
})
  .split('\0')
  .filter((file) => SOURCE.test(file));
const files = [...new Set(listed)];

const offenders: string[] = [];
for (const file of files) {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    continue; // tracked but deleted in the working tree
  }
  text.split(/\r?\n/).forEach((line, i) => {
    const length = [...line].length;
    if (length > MAX) offenders.push(`${file}:${i + 1}: ${length} characters`);
  });
}

if (offenders.length > 0) {
  console.error(`${offenders.length} line(s) over ${MAX} characters:\n${offenders.join('\n')}`);
  process.exit(1);
}
console.log(`check-line-length: ${files.length} files, no line over ${MAX} characters`);
