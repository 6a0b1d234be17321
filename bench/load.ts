import { Agent, request } from 'undici';
import { round, summarize } from './stats';

/** One request; throws when the answer is not the expected one (a wrong answer is not fast). */
export type Call = () => Promise<void>;

export interface HttpSpec {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  check: (status: number, body: string) => void;
}

export interface LoadResult {
  requests: number;
  wallMs: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface HttpTarget {
  call: Call;
  close(): Promise<void>;
}

/** Kept-alive HTTP/1.1 over at most `connections` sockets. */
export function httpTarget(spec: HttpSpec, connections: number): HttpTarget {
  const dispatcher = new Agent({ connections, pipelining: 1 });
  return {
    async call() {
      const res = await request(spec.url, { method: spec.method, headers: spec.headers, body: spec.body, dispatcher });
      spec.check(res.statusCode, await res.body.text());
    },
    close: () => dispatcher.close(),
  };
}

/** `count` calls with `concurrency` in flight; each call's latency and the wall time. */
export async function runLoad(
  call: Call,
  count: number,
  concurrency: number,
): Promise<{ latencies: number[]; wallMs: number }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < count) {
      next += 1;
      const t0 = performance.now();
      await call();
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { latencies, wallMs: performance.now() - started };
}

export function describeLoad(runs: Array<{ latencies: number[]; wallMs: number }>): LoadResult {
  const latencies = runs.flatMap((r) => r.latencies);
  const wallMs = runs.reduce((sum, r) => sum + r.wallMs, 0);
  const s = summarize(latencies);
  return {
    requests: latencies.length,
    wallMs: round(wallMs),
    perSecond: Math.round(latencies.length / (wallMs / 1000)),
    p50Ms: round(s.p50, 3),
    p99Ms: round(s.p99, 3),
    maxMs: round(s.max, 3),
  };
}
