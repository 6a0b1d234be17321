import { spawn } from 'node:child_process';

export interface TimedExit {
  /** From spawn to the process's exit, in ms. */
  ms: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node <args>` with exactly `env` (no NODE_OPTIONS from tsx leaks in) and times it from
 * spawn to exit. Killed after `timeoutMs`, so a hung bundle cannot hang the bench.
 */
export function spawnTimed(args: string[], env: Record<string, string>, timeoutMs = 15_000): Promise<TimedExit> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let ms = 0;
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('exit', () => {
      ms = Number(process.hrtime.bigint() - started) / 1e6;
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ ms, code, stdout, stderr });
    });
  });
}
