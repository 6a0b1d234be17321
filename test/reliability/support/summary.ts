import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The suite's counts, printed so CI's output shows them. Each reliability test file runs in
 * its own worker, so each writes its part beside the others (keyed by the vitest process, the
 * workers' common parent) and prints its own line; the file that completes the set also
 * prints the total.
 */
export interface Counts {
  faultScenarios: number;
  generatedInputs: number;
  logLines: number;
  secretsFound: number;
}

export const PARTS = ['faults', 'hostile-input'] as const;
export type Part = (typeof PARTS)[number];

const FRESH_MS = 10 * 60_000;

export function formatCounts(label: string, c: Counts): string {
  return (
    `${label}: ${c.faultScenarios} fault scenarios, ${c.generatedInputs} generated inputs, ` +
    `${c.logLines} log lines scanned, ${c.secretsFound} secrets found`
  );
}

export function reportCounts(part: Part, counts: Counts): void {
  const dir = join(tmpdir(), `wechat-mass-send-reliability-${process.ppid}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${part}.json`), JSON.stringify(counts));
  console.log(formatCounts(`reliability (${part})`, counts));

  const parts: Counts[] = [];
  for (const name of PARTS) {
    const file = join(dir, `${name}.json`);
    try {
      if (Date.now() - statSync(file).mtimeMs > FRESH_MS) return;
      parts.push(JSON.parse(readFileSync(file, 'utf8')) as Counts);
    } catch {
      return;
    }
  }
  const total = parts.reduce((sum, c) => ({
    faultScenarios: sum.faultScenarios + c.faultScenarios,
    generatedInputs: sum.generatedInputs + c.generatedInputs,
    logLines: sum.logLines + c.logLines,
    secretsFound: sum.secretsFound + c.secretsFound,
  }));
  console.log(formatCounts('reliability', total));
  if (readdirSync(dir).length >= PARTS.length) rmSync(dir, { recursive: true, force: true });
}
