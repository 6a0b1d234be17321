import { createRequire } from 'node:module';
import { join } from 'node:path';

export type ScfHandler = (
  event: unknown,
  context: { request_id: string },
) => Promise<{ statusCode?: number; body?: string }>;

/**
 * A built bundle's main_handler loaded into this process, as one warm container. Its
 * dependencies are built from process.env on the first call: make that call inside `withEnv`.
 */
export function loadBundle(distDir: string, name: string): ScfHandler {
  return (createRequire(import.meta.filename)(join(distDir, name, 'index.js')) as { main_handler: ScfHandler })
    .main_handler;
}

/** Runs `work` with `env` set in process.env, then puts the previous values back. */
export async function withEnv<T>(env: Record<string, string>, work: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return await work();
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

/** Counts what console.log would have printed during `work` (the functions' JSON log lines). */
export async function silenced<T>(work: () => Promise<T>): Promise<{ result: T; logLines: number }> {
  const original = console.log;
  let logLines = 0;
  console.log = () => {
    logLines += 1;
  };
  try {
    const result = await work();
    return { result, logLines };
  } finally {
    console.log = original;
  }
}
