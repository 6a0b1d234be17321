import type { ApiOverheadResult } from './api-overhead';
import type { CallbackThroughputResult } from './callback-throughput';
import type { ColdStartResult } from './cold-start';
import type { RedisClientCostResult } from './redis-client';
import type { TokenStampedeResult } from './token-stampede';
import { fmt, type Section } from './table';

/** Published figures for scale, quoted from issue 7: not measured by this bench. */
export const REFERENCES = [
  'co-wechat-api (the smallest popular Node WeChat API client) ' +
    'alone: about 131 KB bundled and about 22 ms of load time',
  'the callback crypto alone: about 2 KB and about 4 ms',
];

export function coldStartSection(r: ColdStartResult): Section {
  const dash = '—';
  return {
    title:
      `1. Bundle size and cold start (median of ${r.runs} fresh node processes ` +
      `each; empty \`node -e ""\` median ${fmt.ms(r.emptyNode.medianMs)})`,
    headers: [
      'function',
      'bytes',
      'gzip',
      'memory store',
      'over empty node',
      'peak RSS',
      'redis store',
      'over empty node',
      'peak RSS',
      'redis adds',
      'first invocation',
    ],
    rows: r.functions.map((f) => [
      f.name,
      fmt.int(f.bytes),
      fmt.int(f.gzipBytes),
      f.memory ? fmt.ms(f.memory.medianMs) : dash,
      f.memory ? fmt.signedMs(f.memory.overEmptyNodeMs) : dash,
      f.memory ? fmt.mib(f.memory.peakRssMiB) : dash,
      f.redis ? fmt.ms(f.redis.medianMs) : dash,
      f.redis ? fmt.signedMs(f.redis.overEmptyNodeMs) : dash,
      f.redis ? fmt.mib(f.redis.peakRssMiB) : dash,
      f.redisExtraMs !== undefined ? fmt.signedMs(f.redisExtraMs) : dash,
      f.failure ? `FAILED: ${f.failure}` : f.invoked,
    ]),
    notes: [
      'time = spawn of a fresh `node` to its exit, after require() of dist/<name>/index.js and one ' +
        "main_handler call answered 2xx (timer: {ok: true}) against the bench's sandbox on loopback",
      'memory store: each fresh process also fetches the access token (stable_token on the sandbox); redis ' +
        'store: the token is read from Redis after the first run, so refresh-token makes no HTTP call at all there',
      `peak RSS = the child's own peak resident set at exit (VmHWM; not maxRSS, which a child inherits) ` +
        `(median); an empty node peaks at ${fmt.mib(r.emptyNode.peakRssMiB)}`,
      'references measured in the same run: a fresh node that only makes one request to the sandbox takes ' +
        `${fmt.ms(r.nodeWithOneHttpRequest.medianMs)} (${fmt.signedMs(r.nodeWithOneHttpRequest.overEmptyNodeMs)} ` +
        `over empty node, ${fmt.mib(r.nodeWithOneHttpRequest.peakRssMiB)}) with node:http, as the functions make ` +
        `it, and ${fmt.ms(r.nodeWithOneFetch.medianMs)} (${fmt.signedMs(r.nodeWithOneFetch.overEmptyNodeMs)}, ` +
        `${fmt.mib(r.nodeWithOneFetch.peakRssMiB)}) with fetch(), which loads Node's built-in undici on first use`,
      ...REFERENCES.map((ref) => `for scale, not measured here: ${ref}`),
    ],
  };
}

export function callbackSection(r: CallbackThroughputResult): Section {
  return {
    title:
      `2. Callback throughput (one process, one push at a time, ${fmt.int(r.pushes)} ` +
      'signed + encrypted MASSSENDJOBFINISH pushes with distinct MsgIDs)',
    headers: ['path', 'pushes/s', 'time', 'what'],
    rows: [
      [
        'real callback handler',
        fmt.int(r.handler.perSecond),
        fmt.ms(r.handler.ms, 0),
        'dist/callback main_handler: API Gateway event → signature, msg_signature,' +
          ' decrypt, XML parse + validation, memory-store write, 1 log line',
      ],
      ['bare node:crypto', fmt.int(r.bare.perSecond), fmt.ms(r.bare.ms, 0), r.bare.what],
      ['ratio handler / bare', fmt.ratio(r.ratio, 3), '', ''],
    ],
    notes: [
      `${fmt.int(r.handler.logLinesSilenced)} handler log lines silenced (counted, ` +
        `not printed); ${fmt.int(r.handler.answeredSuccess)} answers were 200 "success"`,
    ],
  };
}

export function stampedeSection(r: TokenStampedeResult): Section {
  return {
    title:
      `3. Token stampede (${r.containers} cold containers at once, one Redis, ` +
      `a fake stable_token in its own process answering in ${r.upstreamDelayMs} ms; ${r.rounds.length} rounds)`,
    headers: [
      'round',
      'upstream token requests',
      'distinct tokens',
      'slowest wait',
      'median wait',
      'lone container wait',
      'token requested',
      'token answered',
      'slowest after token',
    ],
    rows: [
      ...r.rounds.map((x, i) => [
        String(i + 1),
        String(x.upstreamRequests),
        String(x.distinctTokens),
        fmt.ms(x.slowestWaitMs),
        fmt.ms(x.medianWaitMs),
        fmt.ms(x.loneContainerWaitMs),
        fmt.ms(x.tokenRequestedMs),
        fmt.ms(x.tokenAnsweredMs),
        fmt.ms(x.slowestAfterTokenMs),
      ]),
      [
        'summary',
        `max ${r.maxUpstreamRequests} (goal 1)`,
        '',
        `median ${fmt.ms(r.slowestWaitMs)}`,
        '',
        `median ${fmt.ms(r.loneContainerWaitMs)}`,
        '',
        '',
        `median ${fmt.ms(r.slowestAfterTokenMs)}`,
      ],
    ],
    notes: [
      `slowest of ${r.containers} waits ${fmt.signedMs(r.extraWaitMs)} longer than one container alone (median ` +
        'over rounds); once stable_token has answered the lock holder, the last container holds the token ' +
        `${fmt.ms(r.slowestAfterTokenMs)} later: the lock holder wakes the waiting containers (a blocking XREAD ` +
        'on their own connections, which hands them the new token)',
      "token requested / answered: from the start of the round to the lock holder's " +
        'stable_token request reaching the fake WeChat, and to its answer (upstream delay ' +
        `included); the request leaves ${fmt.ms(r.requestDelayMs)} later than a lone container's (median), ` +
        'the time 200 containers take to connect, read and claim the lock on the one CPU they share here; ' +
        `of it, ${fmt.ms(r.requestReadDelayMs)} (median) pass between the lock holder starting its token ` +
        'fetch and the fake WeChat, in a process of its own as WeChat is on its own machines, reading the ' +
        "request: the holder's request still leaves through the event loop the waiting containers share",
      'each container: its own ioredis connection, token fetcher and provider (production ' +
        'defaults), run from a bundle built as the functions ship (minified, the ioredis vendor file); ' +
        'the wait counts from creating the containers to each one holding a token',
    ],
  };
}

export function apiSection(r: ApiOverheadResult): Section {
  return {
    title:
      `4. API overhead (${fmt.int(r.requests)} requests each, ` +
      `${r.concurrency} in flight, sandbox rate limits off)`,
    headers: ['path', 'req/s', 'p50', 'p99', 'what'],
    rows: [
      [
        'GET /status via gateway',
        fmt.int(r.product.perSecond),
        fmt.ms(r.product.p50Ms, 2),
        fmt.ms(r.product.p99Ms, 2),
        r.product.what,
      ],
      [
        'status main_handler in-process',
        fmt.int(r.handlerOnly.perSecond),
        fmt.ms(r.handlerOnly.p50Ms, 2),
        fmt.ms(r.handlerOnly.p99Ms, 2),
        r.handlerOnly.what,
      ],
      [
        'bare mass/get (baseline)',
        fmt.int(r.bare.perSecond),
        fmt.ms(r.bare.p50Ms, 2),
        fmt.ms(r.bare.p99Ms, 2),
        r.bare.what,
      ],
      [
        'ratio gateway / bare',
        fmt.ratio(r.throughputRatio, 3),
        fmt.ratio(r.p50Ratio),
        fmt.ratio(r.product.p99Ms / r.bare.p99Ms),
        'throughput ratio, p50 ratio, p99 ratio',
      ],
      [
        'ratio in-process / bare',
        fmt.ratio(r.handlerOnlyThroughputRatio, 3),
        fmt.ratio(r.handlerOnlyP50Ratio),
        fmt.ratio(r.handlerOnly.p99Ms / r.bare.p99Ms),
        '',
      ],
    ],
    notes: [
      'the product path includes the local gateway (HTTP → SCF event → IPC to the container process, log ' +
        'relay), which stands in for API Gateway + SCF; warm-up requests (the cold start) are not counted',
      'halves run interleaved (bare, gateway, in-process, twice) so load drift falls on every side; the ' +
        'sandbox, gateway and load client share the bench process, the status container is a child process',
    ],
  };
}

export function redisClientSection(r: RedisClientCostResult): Section {
  return {
    title:
      `1b. What ioredis costs a cold container on Redis (median of ${r.runs} fresh ` +
      `node processes per step; dist/vendor/ioredis.js: ${fmt.int(r.bundleBytes)} bytes)`,
    headers: ['step', 'spawn to exit', 'peak RSS'],
    rows: r.steps.map((s) => [s.step, fmt.ms(s.medianMs), fmt.mib(s.peakRssMiB)]),
    notes: [
      `evaluating ioredis ${fmt.signedMs(r.evaluationMs)}, opening the connection ` +
        `${fmt.signedMs(r.connectionMs)}, the first command's answer ${fmt.signedMs(r.firstCommandMs)} ` +
        '(loopback; in a VPC add a round trip to each of the last two)',
      "the options are redis-store.ts's (no ready check and no CLIENT SETINFO: no round trip before the first " +
        'command); functions on memory: or file: never evaluate ioredis (test/scripts/bundle-runtime.test.ts)',
      "the vendor file's `debug` is never enabled and redis-errors' node:assert is a two-line check " +
        '(scripts/build.ts); both cost a cold start about 5 ms each in the package as published',
    ],
  };
}
