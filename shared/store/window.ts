import type { WindowTake } from './store';

/**
 * Store.takeWindowSlot's step for the stores that keep a window as text (memory, file): the
 * calls as JSON `[[at, id], …]`. Text that is not such a list holds no call. The window with
 * this call added, or how long until its earliest call leaves.
 */
export function enterWindow(raw: string | undefined, take: WindowTake): { value: string } | { freeInMs: number } {
  const { at, windowMs, limit, id } = take;
  const calls = parseWindow(raw).filter(([takenAt]) => takenAt + windowMs - at > 0);
  if (calls.length >= limit) {
    // A loop, not Math.min(...calls): MASS_SEND_PER_MINUTE may be raised far past what spreads into arguments.
    let earliest = Number.POSITIVE_INFINITY;
    for (const [takenAt] of calls) if (takenAt < earliest) earliest = takenAt;
    return { freeInMs: earliest + windowMs - at };
  }
  calls.push([at, id]);
  return { value: JSON.stringify(calls) };
}

/** Whether the counter (its stored text, or null) already holds `take.counter.limit`. */
export function counterFull(raw: string | null | undefined, take: WindowTake): boolean {
  const { limit } = take.counter;
  return limit !== undefined && Number(raw ?? 0) >= limit;
}

function parseWindow(raw: string | undefined): [number, string][] {
  if (raw === undefined) return [];
  try {
    const value: unknown = JSON.parse(raw);
    if (!Array.isArray(value)) return [];
    return value.filter(
      (call): call is [number, string] =>
        Array.isArray(call) && Number.isFinite(call[0]) && typeof call[1] === 'string',
    );
  } catch {
    return [];
  }
}
