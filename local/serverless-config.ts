import { dirname } from 'node:path';
import { readDeployment, type Route, type TimerTrigger } from './deployment';

export type { Route, TimerTrigger };

export interface FunctionSettings {
  timeoutSeconds: number;
  /** The SCF function name (serverless.yml `name`), which the Invoke API takes. */
  name?: string;
  /** The variables serverless.yml gives this function; locally it gets exactly these. */
  environment: string[];
}

export interface ServerlessConfig {
  functions: Record<string, FunctionSettings>;
  timers: TimerTrigger[];
  routes: Route[];
}

/** The parts of the deployment description (local/deployment.ts) the local gateway reproduces. */
export function readServerlessConfig(file: string, env: Record<string, string | undefined> = {}): ServerlessConfig {
  const deployment = readDeployment(dirname(file), env);
  const functions = Object.fromEntries(
    Object.values(deployment.functions).map((fn) => [
      fn.key,
      { timeoutSeconds: fn.timeoutSeconds, environment: fn.environment, name: fn.name },
    ]),
  );
  return { functions, timers: deployment.timers, routes: deployment.routes };
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
