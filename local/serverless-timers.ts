import { readFileSync } from 'node:fs';

export interface TimerTrigger {
  function: string;
  name: string;
  cron: string;
  argument?: string;
}

/**
 * Reads the timer triggers from serverless.yml. Only the flat shape this repository's file
 * uses is understood (`- type: timer`, `function:`, `name:`, `cronExpression:`), so no YAML
 * library is needed.
 */
export function readTimerTriggers(file: string): TimerTrigger[] {
  const text = readFileSync(file, 'utf8');
  const blocks = text.split(/\n\s*-\s+type:\s*/).slice(1);
  return blocks
    .filter((block) => /^timer\b/.test(block))
    .map((block) => {
      const field = (name: string) => new RegExp(`\\b${name}:\\s*'?([^'\\n]+?)'?\\s*(?:#.*)?$`, 'm').exec(block)?.[1];
      return { function: field('function') ?? '', name: field('name') ?? 'timer', cron: field('cronExpression') ?? '', argument: field('argument') };
    })
    .filter((t) => t.function && t.cron);
}

function matches(field: string, value: number): boolean {
  return field.split(',').some((part) => {
    if (part === '*' || part === '?') return true;
    const step = /^(\*|\d+(?:-\d+)?)\/(\d+)$/.exec(part);
    if (step) {
      const [from, to] = step[1] === '*' ? [0, Infinity] : step[1]!.split('-').map(Number).concat(Infinity).slice(0, 2) as [number, number];
      return value >= from && value <= to && (value - from) % Number(step[2]) === 0;
    }
    const range = /^(\d+)-(\d+)$/.exec(part);
    if (range) return value >= Number(range[1]) && value <= Number(range[2]);
    return Number(part) === value;
  });
}

/** SCF cron: second minute hour day-of-month month day-of-week year (local time). */
export function cronMatches(cron: string, at: Date): boolean {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 7) throw new Error(`SCF cron needs 7 fields: ${cron}`);
  const values = [at.getSeconds(), at.getMinutes(), at.getHours(), at.getDate(), at.getMonth() + 1, at.getDay(), at.getFullYear()];
  return fields.every((field, i) => matches(field, values[i]!));
}
