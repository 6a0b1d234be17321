import { loadLazily } from '../runtime/load-lazily';

type Collect = (options?: { type: 'major' | 'minor' }) => void;
let collect: Promise<Collect | null> | undefined;

/**
 * Asks V8 for a full collection. The dispatcher drops about 2 MB per batch (the OpenIDs read,
 * the request body, its JSON); left alone, V8 lets that garbage pile up to well over 100 MB of
 * resident memory before it collects (measured: 128 MB peak for 60 batches of 10,000), and SCF
 * bills and limits the peak. A collection after each batch costs a few milliseconds and keeps the
 * peak near what one batch needs. `gc` is not exposed by default; the V8 flag turns it on for a
 * fresh context, which hands it back. node:v8 and node:vm load on the first call: loading node:v8
 * brings its heap and profiler bindings, a cost every bundle with job code paid at its cold start.
 */
export async function collectGarbage(): Promise<void> {
  collect ??= loadLazily(
    () => ({ v8: require('node:v8') as typeof import('node:v8'), vm: require('node:vm') as typeof import('node:vm') }),
    async () => ({ v8: await import('node:v8'), vm: await import('node:vm') }),
  ).then(({ v8, vm }) => {
    try {
      v8.setFlagsFromString('--expose-gc');
      return vm.runInNewContext('gc') as Collect;
    } catch {
      return null;
    }
  });
  (await collect)?.();
}
