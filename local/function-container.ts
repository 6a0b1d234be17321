import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface Invocation {
  result?: unknown;
  error?: string;
  coldStart: boolean;
  ms: number;
}

const RUNTIME = join(import.meta.dirname, 'scf-runtime.cjs');

/**
 * A function's warm container: a child process started on the first invocation (the cold
 * start) and reused after, so each function keeps its own memory, as on SCF.
 */
export class FunctionContainer {
  private child?: ChildProcess;
  private ready?: Promise<void>;
  private readonly pending = new Map<string, (reply: { result?: unknown; error?: string }) => void>();

  constructor(
    readonly name: string,
    private readonly bundlePath: string,
    /** Read at each cold start, so a change before then is seen. */
    private readonly env: () => Record<string, string | undefined>,
    private readonly timeoutMs = 30_000,
    /** Receives each line the function prints (its logs); default: passed through. */
    private readonly onOutput: (line: string) => void = (line) => console.log(line),
  ) {}

  private start(): Promise<void> {
    const child = fork(RUNTIME, [this.bundlePath], { env: this.env() as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    this.child = child;
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) createInterface({ input: stream }).on('line', this.onOutput);
    }
    const ready = new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.on('message', (message: { ready?: boolean; id?: string; result?: unknown; error?: string }) => {
        if (message.ready !== undefined) {
          if (message.ready) resolve();
          else reject(new Error(`${this.name}: the bundle exports no main_handler`));
          return;
        }
        const settle = message.id ? this.pending.get(message.id) : undefined;
        if (message.id) this.pending.delete(message.id);
        settle?.(message);
      });
      child.once('exit', (code) => {
        reject(new Error(`${this.name} exited with ${code}`));
        for (const settle of this.pending.values()) settle({ error: 'ContainerExited' });
        this.pending.clear();
        if (this.child === child) {
          this.child = undefined;
          this.ready = undefined;
        }
      });
    });
    return ready;
  }

  async invoke(event: unknown, context: Record<string, unknown>): Promise<Invocation> {
    const started = Date.now();
    const coldStart = !this.ready;
    this.ready ??= this.start();
    await this.ready;
    const id = randomUUID();
    const reply = await new Promise<{ result?: unknown; error?: string }>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve({ error: 'Timeout' });
        // Whatever the invocation was still doing is stopped, as SCF does at the timeout.
        void this.stop();
      }, this.timeoutMs);
      this.pending.set(id, (message) => {
        clearTimeout(timer);
        resolve(message);
      });
      this.child!.send({ id, event, context });
    });
    return { ...reply, coldStart, ms: Date.now() - started };
  }

  /** Kills the container, as SCF may at any moment; the next invocation starts cold. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
}
