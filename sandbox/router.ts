import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiBody, ApiRequest, AuthedRequest } from './api-types';
import { ERRMSG, WeChatError } from './errors';
import type { Fault } from './faults';
import { holdOpen, readBody, sendJson, sendText } from './http-io';
import { finishDueJobs } from './jobs';
import { deleteMessage, getSpeed, getStatus, setSpeed } from './mass-status-api';
import { preview, sendAll, sendToList } from './mass-api';
import { addDraft, batchGetDrafts, countDrafts, deleteDraft, getDraft } from './draft-api';
import { addMaterial, batchGetMaterial, delMaterial, getMaterialCount, uploadTemporary } from './material-api';
import { uploadImage, uploadNews, uploadVideo } from './media-api';
import { isRecord } from './message-content';
import type { SandboxState } from './state';
import { keepRecord, shortAppid } from './state';
import { issueStableToken, issueToken } from './token-api';

/**
 * The WeChat API surface: every answer is HTTP 200 with WeChat's JSON (errors as
 * `{errcode, errmsg}`), except injected HTTP faults. Unknown /cgi-bin paths answer 40066
 * (invalid url) with HTTP 200; anything else is HTTP 404.
 */
type Route =
  | { method: 'GET' | 'POST'; body: 'none' | 'json'; auth: false; handle: (req: ApiRequest) => ApiBody }
  | {
      method: 'GET' | 'POST';
      body: 'none' | 'json' | 'multipart';
      auth: true;
      handle: (req: AuthedRequest) => ApiBody;
    };

const ROUTES: Readonly<Record<string, Route>> = {
  '/cgi-bin/token': { method: 'GET', body: 'none', auth: false, handle: issueToken },
  '/cgi-bin/stable_token': { method: 'POST', body: 'json', auth: false, handle: issueStableToken },
  '/cgi-bin/message/mass/sendall': { method: 'POST', body: 'json', auth: true, handle: sendAll },
  '/cgi-bin/message/mass/send': { method: 'POST', body: 'json', auth: true, handle: sendToList },
  '/cgi-bin/message/mass/preview': { method: 'POST', body: 'json', auth: true, handle: preview },
  '/cgi-bin/message/mass/delete': { method: 'POST', body: 'json', auth: true, handle: deleteMessage },
  '/cgi-bin/message/mass/get': { method: 'POST', body: 'json', auth: true, handle: getStatus },
  '/cgi-bin/message/mass/speed/get': { method: 'POST', body: 'none', auth: true, handle: getSpeed },
  '/cgi-bin/message/mass/speed/set': { method: 'POST', body: 'json', auth: true, handle: setSpeed },
  '/cgi-bin/media/uploadimg': { method: 'POST', body: 'multipart', auth: true, handle: uploadImage },
  '/cgi-bin/media/uploadnews': { method: 'POST', body: 'json', auth: true, handle: uploadNews },
  '/cgi-bin/media/uploadvideo': { method: 'POST', body: 'json', auth: true, handle: uploadVideo },
  '/cgi-bin/media/upload': { method: 'POST', body: 'multipart', auth: true, handle: uploadTemporary },
  '/cgi-bin/material/add_material': { method: 'POST', body: 'multipart', auth: true, handle: addMaterial },
  '/cgi-bin/material/batchget_material': { method: 'POST', body: 'json', auth: true, handle: batchGetMaterial },
  // WeChat documents the two counts as GET.
  '/cgi-bin/material/get_materialcount': { method: 'GET', body: 'none', auth: true, handle: getMaterialCount },
  '/cgi-bin/material/del_material': { method: 'POST', body: 'json', auth: true, handle: delMaterial },
  '/cgi-bin/draft/add': { method: 'POST', body: 'json', auth: true, handle: addDraft },
  '/cgi-bin/draft/get': { method: 'POST', body: 'json', auth: true, handle: getDraft },
  '/cgi-bin/draft/batchget': { method: 'POST', body: 'json', auth: true, handle: batchGetDrafts },
  '/cgi-bin/draft/delete': { method: 'POST', body: 'json', auth: true, handle: deleteDraft },
  '/cgi-bin/draft/count': { method: 'GET', body: 'none', auth: true, handle: countDrafts },
};

const MAX_BODY_BYTES = 16 * 1024 * 1024;
const DEFAULT_HOLD_MS = 30_000;
const TOKEN_INVALID = new Set([40001, 40014, 42001]);

function parseJsonBody(raw: Buffer): Record<string, unknown> {
  const text = raw.toString('utf8').trim();
  if (text === '') throw new WeChatError(44002);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new WeChatError(47001);
  }
  if (!isRecord(parsed)) throw new WeChatError(47001);
  return parsed;
}

function run(route: Route, method: string, req: ApiRequest, tooLarge: boolean): ApiBody {
  if (route.method === 'POST' && method !== 'POST') throw new WeChatError(43002);
  if (route.auth) {
    const appid = req.state.tokens.verify(req.query.get('access_token'));
    req.caller = appid;
    const account = req.state.accounts.get(appid);
    if (!account) throw new WeChatError(40001);
    if (tooLarge) throw new WeChatError(route.body === 'multipart' ? 40006 : 47001, 'body too large');
    if (route.body === 'json') req.body = parseJsonBody(req.raw);
    return route.handle({ ...req, appid, account });
  }
  if (route.body === 'json') req.body = parseJsonBody(req.raw);
  return route.handle(req);
}

function execute(route: Route, method: string, req: ApiRequest, tooLarge: boolean): ApiBody {
  try {
    return run(route, method, req, tooLarge);
  } catch (error) {
    if (error instanceof WeChatError) return error.toBody();
    throw error;
  }
}

function injectedErrcode(state: SandboxState, req: ApiRequest, fault: Fault): ApiBody {
  const errcode = fault.errcode ?? -1;
  const token = req.query.get('access_token');
  // Another caller refreshed the token while this call was in flight: it really is dead now.
  if (TOKEN_INVALID.has(errcode) && token) state.tokens.revoke(token);
  const body: ApiBody = { errcode, errmsg: ERRMSG[errcode] ?? 'injected fault' };
  if (errcode === 45065) {
    const latest = [...state.messages.values()].filter((m) => m.appid === req.caller && m.endpoint !== 'preview').pop();
    const msgId = fault.msgId ?? latest?.msgId;
    if (msgId !== undefined) body.msg_id = msgId;
  }
  return body;
}

export async function handleWeChatCall(
  state: SandboxState,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const started = Date.now();
  const method = req.method ?? 'GET';
  const path = url.pathname;
  const { data, tooLarge } = await readBody(req, MAX_BODY_BYTES);
  finishDueJobs(state);
  const token = url.searchParams.get('access_token');
  const apiReq: ApiRequest = { state, query: url.searchParams, headers: req.headers, body: {}, raw: data, notes: [] };
  const owner = token ? state.tokens.ownerOf(token) : undefined;
  if (owner !== undefined) apiReq.caller = owner;

  const route = ROUTES[path];
  const fault = route ? state.faults.take(path) : undefined;
  let httpStatus = 200;
  let body: ApiBody | undefined;
  let respond = true;

  if (!route) {
    httpStatus = path.startsWith('/cgi-bin/') ? 200 : 404;
    body = new WeChatError(40066, path).toBody();
  } else if (fault?.kind === 'errcode') {
    body = injectedErrcode(state, apiReq, fault);
  } else if (fault?.kind === 'http500') {
    if (fault.execute === true) execute(route, method, apiReq, tooLarge);
    httpStatus = 500;
  } else if (fault?.kind === 'timeout') {
    if (fault.execute !== false) body = execute(route, method, apiReq, tooLarge);
    respond = await holdOpen(res, fault.delayMs ?? DEFAULT_HOLD_MS);
    body ??= { errcode: -1, errmsg: ERRMSG[-1] };
  } else {
    if (fault) apiReq.jobFault = fault;
    body = execute(route, method, apiReq, tooLarge);
  }

  const errcode = typeof body?.errcode === 'number' ? body.errcode : 0;
  keepRecord(state.calls, {
    seq: state.nextCallSeq++,
    at: state.clock.now(),
    method,
    path,
    ...(apiReq.caller === undefined ? {} : { appid: apiReq.caller }),
    errcode,
    httpStatus: respond ? httpStatus : 0,
    ...(fault ? { fault: fault.kind } : {}),
    durationMs: Date.now() - started,
    ...(apiReq.notes.length > 0 ? { note: apiReq.notes.join(' ') } : {}),
  });
  const outcome = httpStatus === 200 ? `${errcode}` : `HTTP ${httpStatus}`;
  const extra = apiReq.notes.length > 0 ? ` ${apiReq.notes.join(' ')}` : '';
  const faultNote = fault ? ` [fault ${fault.kind}${respond ? '' : ', client gave up'}]` : '';
  state.log(`${method} ${path} ${shortAppid(apiReq.caller)} → ${outcome}${extra}${faultNote}`);

  if (!respond) return;
  if (httpStatus === 500) sendText(res, 500, '500 Internal Server Error');
  else sendJson(res, httpStatus, body);
}
