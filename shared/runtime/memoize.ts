/**
 * A value built on first use and kept for the container's life; `reset` is for tests. Calling it
 * builds nothing, so the build (scripts/pure-schemas.ts) lets esbuild drop a memoized value that
 * no kept code reads: a module's lazily built schemas cost a bundle that never uses them nothing.
 */
/* @__NO_SIDE_EFFECTS__ */
export function memoize<T>(build: () => T): (() => T) & { reset(): void } {
  let value: { current: T } | undefined;
  const get = () => {
    value ??= { current: build() };
    return value.current;
  };
  return Object.assign(get, { reset: () => (value = undefined) });
}

/** A promise built on first use and kept for the container's life; a failed one is not kept. */
export function memoizeAsync<T>(build: () => Promise<T>): (() => Promise<T>) & { reset(): void } {
  let value: Promise<T> | undefined;
  const get = () => {
    value ??= build().catch((err: unknown) => {
      value = undefined;
      throw err;
    });
    return value;
  };
  return Object.assign(get, { reset: () => (value = undefined) });
}

/**
 * memoizeAsync whose getter hands back the value itself once it is built, so that a warm
 * invocation takes its dependencies without an await (a microtask and a suspended frame).
 */
export function memoizeAsyncValue<T>(build: () => Promise<T>): (() => T | Promise<T>) & { reset(): void } {
  let built: { value: T } | undefined;
  let generation = 0;
  const pending = memoizeAsync(async () => {
    const started = generation;
    const value = await build();
    if (started === generation) built = { value };
    return value;
  });
  const get = () => (built ? built.value : pending());
  return Object.assign(get, {
    reset: () => {
      generation += 1;
      built = undefined;
      pending.reset();
    },
  });
}

export type Env = Record<string, string | undefined>;
