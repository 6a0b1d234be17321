import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { CallbackConfigSchema, DecisionSchema, FaultSpecSchema, LimitsSchema, ProtectionSchema } from './control';
import type { SandboxControl } from './control';
import { readBody, sendJson } from './http-io';

/**
 * `/__sandbox/*`: see what the sandbox received and sent, and steer it (callback, clock,
 * limits, faults). Bad bodies answer HTTP 400 with the zod issues.
 */
const ClockBody = z.object({ advanceMs: z.number().int().nonnegative() });
const FinishBody = z.object({ wait: z.boolean().optional() });

export const ROUTE_LIST = [
  'GET /__sandbox/state',
  'GET /__sandbox/calls',
  'GET /__sandbox/messages',
  'GET /__sandbox/pushes',
  'GET /__sandbox/bulk?appid=',
  'GET /__sandbox/faults',
  'GET /__sandbox/callback',
  'POST /__sandbox/callback {url, token, encodingAesKey?, mode?: plain|compat|safe}',
  'DELETE /__sandbox/callback',
  'POST /__sandbox/reset',
  'POST /__sandbox/clock {advanceMs}',
  'POST /__sandbox/finish {wait?}',
  'POST /__sandbox/limits {perMinute?, daily?, monthly?}',
  'POST /__sandbox/protection {on, appid?, confirmationWindowMs?}',
  'GET /__sandbox/confirmations',
  'POST /__sandbox/confirmations {msgId? | clientMsgId?, decision?: confirm|reject}',
  'POST /__sandbox/faults {path, kind: http500|timeout|errcode|jobStatus|dropPush,' +
    ' times?, errcode?, delayMs?, execute?, status?, msgId?}',
  'DELETE /__sandbox/faults',
];

const NO_SUCH_SEND = Symbol('no such send');

function parseJson(raw: Buffer): unknown {
  const text = raw.toString('utf8').trim();
  if (text === '') return {};
  return JSON.parse(text) as unknown;
}

async function dispatch(
  control: SandboxControl,
  method: string,
  route: string,
  body: unknown,
  query: URLSearchParams,
): Promise<unknown> {
  switch (`${method} ${route}`) {
    case 'GET bulk':
      return { bulk: control.bulkSummary(query.get('appid') ?? '') ?? null };
    case 'GET ':
      return { routes: ROUTE_LIST };
    case 'GET state':
      return control.state();
    case 'GET calls':
      return { calls: control.calls() };
    case 'GET messages':
      return { messages: control.messages() };
    case 'GET pushes':
      return { pushes: control.pushes() };
    case 'GET faults':
      return { faults: control.faults() };
    case 'GET callback':
      return { callback: control.state().callback };
    case 'POST callback':
      control.setCallback(CallbackConfigSchema.parse(body));
      return { callback: control.state().callback };
    case 'DELETE callback':
      control.setCallback(undefined);
      return { callback: null };
    case 'POST reset':
      control.reset();
      return { ok: true };
    case 'POST clock':
      return { now: control.advanceClock(ClockBody.parse(body).advanceMs) };
    case 'POST finish': {
      const finished = control.finishJobs();
      if (FinishBody.parse(body).wait === true) await control.waitForPushes();
      return { finished };
    }
    case 'POST limits':
      return { limits: control.setLimits(LimitsSchema.parse(body)) };
    case 'POST protection': {
      const { on, appid, confirmationWindowMs } = ProtectionSchema.parse(body);
      return { protectedAppids: control.setProtection(on, appid, confirmationWindowMs) };
    }
    case 'GET confirmations':
      return { awaiting: control.awaitingConfirmation() };
    case 'POST confirmations': {
      const decision = DecisionSchema.parse(body);
      const decided = control.decide(decision);
      return decided ? { decided: { ...decided, decision: decision.decision ?? 'confirm' } } : NO_SUCH_SEND;
    }
    case 'POST faults':
      return { fault: control.injectFault(FaultSpecSchema.parse(body)) };
    case 'DELETE faults':
      control.clearFaults();
      return { faults: [] };
    default:
      return undefined;
  }
}

export async function handleControl(
  control: SandboxControl,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const { data } = await readBody(req, 1024 * 1024);
  const route = url.pathname.replace(/^\/__sandbox\/?/, '').replace(/\/$/, '');
  try {
    const result = await dispatch(control, req.method ?? 'GET', route, parseJson(data), url.searchParams);
    if (result === undefined)
      sendJson(res, 404, { error: `no such sandbox route: ${req.method} ${url.pathname}`, routes: ROUTE_LIST });
    else if (result === NO_SUCH_SEND)
      sendJson(res, 404, { error: 'no send waits for confirmation with this msgId or clientMsgId' });
    else sendJson(res, 200, result);
  } catch (error) {
    if (error instanceof z.ZodError) sendJson(res, 400, { error: 'invalid body', issues: error.issues });
    else if (error instanceof SyntaxError) sendJson(res, 400, { error: 'body is not valid JSON' });
    else throw error;
  }
}
