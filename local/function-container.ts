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
  /** Invocations under way, per process: a retired process finishes its own before it goes. */
  private readonly pending = new Map<
    ChildProcess,
    Map<string, (reply: { result?: unknown; error?: string }) => void>
  >();
  private readonly retired = new Set<ChildProcess>();

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
    const child = fork(RUNTIME, [this.bundlePath], {
      env: this.env() as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.child = child;
    const calls = new Map<string, (reply: { result?: unknown; error?: string }) => void>();
    this.pending.set(child, calls);
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) createInterface({ input: stream }).on('line', this.onOutput);
    }
    return new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.on('message', (message: { ready?: boolean; id?: string; result?: unknown; error?: string }) => {
        if (message.ready !== undefined) {
          if (message.ready) resolve();
          else reject(new Error(`${this.name}: the bundle exports no main_handler`));
          return;
        }
        const settle = message.id ? calls.get(message.id) : undefined;
        if (message.id) calls.delete(message.id);
        settle?.(message);
        if (this.retired.has(child) && calls.size === 0) child.kill('SIGTERM');
      });
      child.once('exit', (code) => {
        reject(new Error(`${this.name} exited with ${code}`));
        for (const settle of calls.values()) settle({ error: 'ContainerExited' });
        this.pending.delete(child);
        this.retired.delete(child);
        if (this.child === child) this.detach();
      });
    });
  }

  private detach(): void {
    this.child = undefined;
    this.ready = undefined;
  }

  /**
   * At a timeout SCF stops that invocation; concurrent ones run in instances of their own. Here
   * they share a process, so it takes no new calls (the next one starts cold) and is stopped
   * once the calls it still runs have answered.
   */
  private retire(child: ChildProcess): void {
    if (this.child === child) this.detach();
    this.retired.add(child);
    if ((this.pending.get(child)?.size ?? 0) === 0) child.kill('SIGTERM');
  }

  async invoke(event: unknown, context: Record<string, unknown>): Promise<Invocation> {
    const started = Date.now();
    const coldStart = !this.ready;
    this.ready ??= this.start();
    await this.ready;
    const child = this.child!;
    const calls = this.pending.get(child)!;
    const id = randomUUID();
    const reply = await new Promise<{ result?: unknown; error?: string }>((resolve) => {
      const timer = setTimeout(() => {
        calls.delete(id);
        resolve({ error: 'Timeout' });
        this.retire(child);
      }, this.timeoutMs);
      calls.set(id, (message) => {
        clearTimeout(timer);
        resolve(message);
      });
      child.send({ id, event, context });
    });
    return { ...reply, coldStart, ms: Date.now() - started };
  }

  /** Kills the container, as SCF may at any moment; the next invocation starts cold. */
  async stop(): Promise<void> {
    const children = [...this.pending.keys()].filter((child) => child.exitCode === null && child.signalCode === null);
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
  }
}
