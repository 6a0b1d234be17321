/** A value built on first use and kept for the container's life; `reset` is for tests. */
export function memoize<T>(build: () => T): (() => T) & { reset(): void } {
  let value: { current: T } | undefined;
  const get = () => {
    value ??= { current: build() };
    return value.current;
  };
  return Object.assign(get, { reset: () => (value = undefined) });
}

export type Env = Record<string, string | undefined>;
