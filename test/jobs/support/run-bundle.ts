import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { distDir } from '../../support/dist';

const CONTAINER = join(import.meta.dirname, 'container.cjs');

export interface BundleRun<T = unknown> {
  result?: T;
  error?: string;
  /** Peak resident memory of the function's process. */
  maxRssMb?: number;
  killed: boolean;
  lines: string[];
}

export interface RunOptions {
  env: Record<string, string>;
  /** Milliseconds to add to the process's clock (the sandbox's clock minus the real one). */
  clockOffsetMs: number;
  event?: unknown;
  timeLimitMs?: number;
  /** `<log message>:<n>`: SIGKILL right after the n-th log line with that message. */
  killAt?: string;
}

/** One cold invocation of dist/<name>/index.js in a process of its own, as SCF runs it. */
export function runBundle<T = unknown>(name: string, options: RunOptions): Promise<BundleRun<T>> {
  const { env, clockOffsetMs, event = { Type: 'Timer', TriggerName: 'dispatcher' }, timeLimitMs = 90_000 } = options;
  const child = spawn(
    process.execPath,
    [CONTAINER, join(distDir(), name, 'index.js'), JSON.stringify(event), String(timeLimitMs)],
    {
      env: {
        PATH: process.env.PATH ?? '',
        ...env,
        FAKE_NOW_OFFSET_MS: String(clockOffsetMs),
        ...(options.killAt ? { KILL_AT: options.killAt } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const lines: string[] = [];
  let buffered = '';
  const take = (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    lines.push(...parts);
  };
  child.stdout.on('data', take);
  child.stderr.on('data', take);
  return new Promise((done, fail) => {
    child.once('error', fail);
    child.once('close', (_code, signal) => {
      if (buffered) lines.push(buffered);
      const last = lines.find((line) => line.startsWith('@@result '));
      const outcome = last ? (JSON.parse(last.slice('@@result '.length)) as Record<string, unknown>) : {};
      done({
        ...(outcome.result === undefined ? {} : { result: outcome.result as T }),
        ...(typeof outcome.error === 'string' ? { error: outcome.error } : {}),
        ...(typeof outcome.maxRssKb === 'number' ? { maxRssMb: outcome.maxRssKb / 1024 } : {}),
        killed: signal === 'SIGKILL',
        lines,
      });
    });
  });
}
