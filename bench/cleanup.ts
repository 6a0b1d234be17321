/**
 * Everything the bench starts registers its stop here, so servers and child processes are
 * stopped in reverse order of start even when a figure throws or the run is interrupted.
 */
export interface Cleanup {
  defer(what: string, stop: () => Promise<void> | void): void;
  run(): Promise<string[]>;
}

export function createCleanup(): Cleanup {
  const stack: Array<{ what: string; stop: () => Promise<void> | void }> = [];
  return {
    defer(what, stop) {
      stack.push({ what, stop });
    },
    async run() {
      const failures: string[] = [];
      while (stack.length > 0) {
        const { what, stop } = stack.pop()!;
        try {
          await stop();
        } catch (err) {
          failures.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      return failures;
    },
  };
}
