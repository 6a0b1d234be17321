import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface TimerTrigger {
  function: string;
  name: string;
  cron: string;
  argument?: string;
}

export interface FunctionSettings {
  timeoutSeconds: number;
  /** The variables serverless.yml gives this function; locally it gets exactly these. */
  environment: string[];
}

export interface ServerlessConfig {
  functions: Record<string, FunctionSettings>;
  timers: TimerTrigger[];
}

interface MultiScf {
  inputs?: {
    timeout?: number;
    functions?: Record<string, { timeout?: number; environments?: Array<{ key: string }> }>;
    triggers?: Array<{
      type: string;
      function?: string;
      parameters?: { name?: string; cronExpression?: string; argument?: string };
    }>;
  };
}

/** The parts of serverless.yml (multi-scf) the local gateway reproduces. */
export function readServerlessConfig(file: string): ServerlessConfig {
  const { inputs = {} } = parse(readFileSync(file, 'utf8')) as MultiScf;
  const functions = Object.fromEntries(
    Object.entries(inputs.functions ?? {}).map(([name, fn]) => [
      name,
      { timeoutSeconds: fn.timeout ?? inputs.timeout ?? 3, environment: (fn.environments ?? []).map((e) => e.key) },
    ]),
  );
  const timers = (inputs.triggers ?? [])
    .filter((t) => t.type === 'timer' && t.function && t.parameters?.cronExpression)
    .map((t) => ({
      function: t.function!,
      name: t.parameters?.name ?? 'timer',
      cron: t.parameters!.cronExpression!,
      ...(t.parameters?.argument ? { argument: t.parameters.argument } : {}),
    }));
  return { functions, timers };
}

function matches(field: string, value: number): boolean {
  return field.split(',').some((part) => {
    if (part === '*' || part === '?') return true;
    const step = /^(\*|\d+(?:-\d+)?)\/(\d+)$/.exec(part);
    if (step) {
      const [from, to] =
        step[1] === '*'
          ? [0, Infinity]
          : (step[1]!.split('-').map(Number).concat(Infinity).slice(0, 2) as [number, number]);
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
  const values = [
    at.getSeconds(),
    at.getMinutes(),
    at.getHours(),
    at.getDate(),
    at.getMonth() + 1,
    at.getDay(),
    at.getFullYear(),
  ];
  return fields.every((field, i) => matches(field, values[i]!));
}
