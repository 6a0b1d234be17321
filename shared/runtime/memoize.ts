/** A value built on first use and kept for the container's life; `reset` is for tests. */
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

export type Env = Record<string, string | undefined>;
