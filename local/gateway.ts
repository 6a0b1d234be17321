import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { humanBytes } from '../shared/http/sizes';
import { FunctionContainer } from './function-container';
import { answerScfApi, isScfApiRequest } from './scf-api';
import { isIntegratedResponse, toScfEvent } from './api-gateway-event';
import { findRoute, type Route } from './deployment';
import { cronMatches, type FunctionSettings, type TimerTrigger } from './serverless-config';

export interface GatewayOptions {
  port?: number;
  host?: string;
  distDir: string;
  /** The environment the functions draw from. */
  env: Record<string, string | undefined>;
  /** Per function, as serverless.yml declares: its timeout and the variables it gets. A
   *  function not listed here gets the whole environment and a 30 s timeout. */
  functions?: Record<string, FunctionSettings>;
  timers?: TimerTrigger[];
  /** The routes api-gateway/serverless.yml declares. Given, only they answer (anything else is
   *  404, as on API Gateway) and each must have integrated response on, or the gateway refuses
   *  to start. Not given, `/<function>/…` goes to that function (for tests of the gateway). */
  routes?: Route[];
  /** Largest request body accepted; API Gateway's own limit is 6 MB. */
  maxBodyBytes?: number;
  /** Largest SCF event a synchronous invocation takes (6 MB): a binary body arrives base64-encoded
   *  in it, a third larger, so about 4.5 MB of file fits. */
  maxEventBytes?: number;
  log?: (line: string) => void;
}

export interface Gateway {
  url: string;
  port: number;
  functions: string[];
  containers: Map<string, FunctionContainer>;
  /** Runs a timer trigger now, as its schedule would. */
  fire(trigger: TimerTrigger): Promise<unknown>;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        resolve(undefined);
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(size > limit ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

// What any process needs to run; everything else a function gets must be declared for it.
// SCF sets TENCENTCLOUD_* itself (and reserves the prefix): the region, and a function with a
// role gets its temporary credentials there (the local ones are placeholders the local SCF API
// accepts). TENCENTCLOUD_SSM_ENDPOINT points a local run at a fake SSM.
const RUNTIME_VARIABLES = [
  'PATH',
  'HOME',
  'TMPDIR',
  'TZ',
  'LANG',
  'NODE_OPTIONS',
  'TENCENTCLOUD_REGION',
  'TENCENTCLOUD_SECRETID',
  'TENCENTCLOUD_SECRETKEY',
  'TENCENTCLOUD_SESSIONTOKEN',
  'TENCENTCLOUD_SSM_ENDPOINT',
];

/** Only the variables serverless.yml gives the function, as SCF would. */
export function environmentFor(
  env: Record<string, string | undefined>,
  declared: string[],
): Record<string, string | undefined> {
  return Object.fromEntries(
    [...RUNTIME_VARIABLES, ...declared].filter((key) => env[key] !== undefined).map((key) => [key, env[key]]),
  );
}

/** Functions log JSON lines for SCF's log service; locally they read better as one short line. */
export function formatFunctionLog(name: string, line: string): string {
  try {
    const { level, message, requestId: _id, function: _fn, ...fields } = JSON.parse(line) as Record<string, unknown>;
    const rest = Object.entries(fields)
      .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
      .join(' ');
    return `  ${name} ${String(level)}: ${String(message)}${rest ? ` ${rest}` : ''}`;
  } catch {
    return `  ${name}: ${line}`;
  }
}

function send(res: ServerResponse, status: number, body: string | Buffer, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(body);
}

/**
 * A local stand-in for API Gateway + SCF: `/<function>` (and anything below it) goes to
 * dist/<function>/index.js running in its own container process; timers fire on the
 * schedules from serverless.yml; /openapi.json serves the built document.
 */
export { humanBytes };

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const { distDir, env, timers = [], maxBodyBytes = 6 * 1024 * 1024, log = (line) => console.log(line) } = options;
  const maxEventBytes = options.maxEventBytes ?? 6 * 1024 * 1024;
  const functions = readdirSync(distDir).filter((name) => existsSync(join(distDir, name, 'index.js')));
  const { routes } = options;
  const closed = routes?.filter((route) => !route.integratedResponse) ?? [];
  if (closed.length) {
    // Without integrated response API Gateway would wrap whatever the function returns in a 200:
    // every status code, header and the callback's plain "success" would be lost.
    throw new Error(
      `integrated response is off for ${closed.map((r) => `${r.method} ${r.path}`).join(', ')}: ` +
        'API Gateway would answer every request with the raw function result',
    );
  }
  const containers = new Map(
    functions.map((name) => {
      const settings = options.functions?.[name];
      return [
        name,
        new FunctionContainer(
          name,
          join(distDir, name, 'index.js'),
          () => (settings ? environmentFor(env, settings.environment) : env),
          (settings?.timeoutSeconds ?? 30) * 1000,
          (line) => log(formatFunctionLog(name, line)),
        ),
      ];
    }),
  );

  const scfNames = new Map(
    Object.entries(options.functions ?? {}).flatMap(([key, fn]) => (fn.name ? [[fn.name, key] as const] : [])),
  );

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const started = Date.now();
    const path = new URL(req.url ?? '/', 'http://local').pathname;
    if (path === '/openapi.json' && existsSync(join(distDir, 'openapi.json'))) {
      return send(res, 200, readFileSync(join(distDir, 'openapi.json')));
    }
    // API Gateway gives its own answers a request id too; a caller can quote it.
    const refuse = (status: number, error: Record<string, unknown>) => {
      const requestId = randomUUID();
      send(res, status, JSON.stringify({ error: { ...error, requestId } }), { 'x-request-id': requestId });
      log(`${req.method} ${path} → ${status} ${String(error.code)}`);
    };
    if (isScfApiRequest(req, path)) {
      const answer = answerScfApi(
        req,
        (await readBody(req, maxBodyBytes)) ?? Buffer.alloc(0),
        containers,
        scfNames,
        log,
      );
      return send(res, answer.status, JSON.stringify(answer.body));
    }
    const route = routes ? findRoute(routes, req.method ?? 'GET', path) : undefined;
    if (routes && !route) {
      return refuse(404, { code: 'no_route', message: `no route for ${req.method} ${path}` });
    }
    const name = route ? (route.function ?? route.functionName) : (path.split('/')[1] ?? '');
    const container = containers.get(name);
    if (!container) {
      return refuse(404, { code: 'no_route', message: `no function at /${name}`, functions });
    }
    const body = await readBody(req, maxBodyBytes);
    if (!body) {
      return refuse(413, {
        code: 'too_large',
        message: `the body is larger than ${humanBytes(maxBodyBytes)}, the most API Gateway takes`,
      });
    }
    const { event, requestId } = toScfEvent(req, body, route?.path ?? `/${name}`, route?.base64Encoded);
    // SCF takes at most 6 MB of event for a synchronous (API Gateway) invocation, counted on the
    // event, not the HTTP body: base64 makes a 4.5 MB upload a 6 MB event. Refused as the cloud would.
    const eventBytes = Buffer.byteLength(JSON.stringify(event));
    if (eventBytes > maxEventBytes) {
      return refuse(413, {
        code: 'too_large',
        message:
          `the request makes a ${humanBytes(eventBytes)} SCF event, over the ` +
          `${humanBytes(maxEventBytes)} SCF takes; upload larger files with {sourceUrl}`,
      });
    }
    const outcome = await container.invoke(event, { request_id: requestId, function_name: name });
    let status = 502;
    if (outcome.error === 'Timeout') {
      // SCF stops an invocation at the function's timeout; API Gateway then answers an error.
      status = 504;
      send(
        res,
        504,
        JSON.stringify({
          error: { code: 'function_timeout', message: `${name} did not answer within its timeout`, requestId },
        }),
      );
    } else if (outcome.error) {
      send(
        res,
        502,
        JSON.stringify({ error: { code: 'function_failed', message: `${name} failed: ${outcome.error}`, requestId } }),
      );
    } else if (isIntegratedResponse(outcome.result)) {
      const r = outcome.result;
      status = r.statusCode;
      send(res, r.statusCode, r.isBase64Encoded ? Buffer.from(r.body ?? '', 'base64') : (r.body ?? ''), r.headers);
    } else {
      status = 200;
      send(res, 200, JSON.stringify(outcome.result));
    }
    log(
      `${req.method} ${path} → ${name} ${status} ${Date.now() - started} ms${outcome.coldStart ? ' (cold start)' : ''}`,
    );
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log(`gateway error on ${req.method} ${req.url}: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent)
        send(res, 502, JSON.stringify({ error: { code: 'gateway_error', message: 'the local gateway failed' } }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as { port: number }).port;

  async function fire(trigger: TimerTrigger) {
    const container = containers.get(trigger.function);
    if (!container) throw new Error(`timer ${trigger.name}: no function ${trigger.function}`);
    const event = {
      Type: 'Timer',
      TriggerName: trigger.name,
      Time: new Date().toISOString(),
      Message: trigger.argument ?? '',
    };
    const outcome = await container.invoke(event, {
      request_id: `timer-${Date.now()}`,
      function_name: trigger.function,
    });
    const result = outcome.error ? `failed: ${outcome.error}` : JSON.stringify(outcome.result);
    log(`timer ${trigger.name} → ${trigger.function} ${result}`);
    return outcome.result;
  }

  // SCF cron has second resolution: check each trigger once a second.
  const ticker = timers.length
    ? setInterval(() => {
        const now = new Date();
        for (const trigger of timers)
          if (trigger.enable !== false && cronMatches(trigger.cron, now)) void fire(trigger).catch(() => {});
      }, 1_000)
    : undefined;
  ticker?.unref();

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    functions,
    containers,
    fire,
    async close() {
      if (ticker) clearInterval(ticker);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([...containers.values()].map((c) => c.stop()));
    },
  };
}
