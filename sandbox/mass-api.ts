import { randomBytes } from 'node:crypto';
import type { ApiBody, AuthedRequest } from './api-types';
import { parseOpenIdAudience, parseTagAudience, resolveAudience } from './audience';
import { checkClientMsgId, deriveClientMsgId, parseClientMsgId, rememberClientMsgId } from './client-msg-id';
import { WeChatError } from './errors';
import { scheduleJob } from './jobs';
import { holdForConfirmation, isProtected } from './protection';
import type { MassContent } from './message-content';
import { parseContent } from './message-content';
import type { Audience, JobCounts, MassMessage } from './state';

/**
 * The mass-send endpoints. Order of checks (our choice, close to what WeChat shows):
 * account type (48001) → 60/minute (45011) → daily call quota (45009) → body (40008, 40007,
 * 40152, 40130, 40003, 45067) → clientmsgid (45066/45065) → send quota (45028) → accepted.
 * The 60/minute limit covers sendall and send; preview has its own 100 a day.
 */
const SERVICE_DAILY_MASS_CALLS = 100;
const DAILY_PREVIEWS = 100;
const MONTHLY_PER_FOLLOWER = 4;
const MONTHLY_TO_ALL = 4;

function contentOf(req: AuthedRequest, endpoint: 'mass' | 'preview'): MassContent {
  return parseContent(req.body, { appid: req.appid, media: req.state.media, cardIds: req.account.cardIds, endpoint });
}

// Each follower of a service account receives at most 4 mass messages a month: the extra
// ones fail for that follower, so they count in ErrorCount (FilterCount = SentCount + ErrorCount).
function countRecipients(req: AuthedRequest, audience: Audience): JobCounts {
  const bulk = req.state.bulk.get(req.appid);
  const { addressed, followers } = resolveAudience(req.account, audience, bulk);
  const { quotas } = req.state;
  const monthly = req.account.type === 'service' && quotas.limits.monthly ? MONTHLY_PER_FOLLOWER : undefined;
  let sent = 0;
  for (const openid of followers) {
    const index = bulk?.indexOf(openid);
    if (index !== undefined) {
      if (bulk!.deliver(index, req.state.clock.now(), monthly)) sent += 1;
      continue;
    }
    const received = `${req.appid}:received:${openid}`;
    const overQuota =
      req.account.type === 'service' && quotas.limits.monthly && quotas.usedThisMonth(received) >= MONTHLY_PER_FOLLOWER;
    if (overQuota) continue;
    quotas.addThisMonth(received);
    sent += 1;
  }
  return { total: addressed.length, filter: followers.length, sent, error: followers.length - sent };
}

function articleUrls(req: AuthedRequest, content: MassContent, msgDataId: number): string[] {
  if (content.msgtype !== 'mpnews') return [];
  const biz = Buffer.from(req.account.ghId).toString('base64');
  return Array.from(
    { length: content.articleCount },
    (_, i) =>
      `https://mp.weixin.qq.com/s?__biz=${biz}&mid=${msgDataId}&idx=${i + 1}&sn=${randomBytes(16).toString('hex')}#rd`,
  );
}

// A 10,000-OpenID list is kept as a sample and its length, so long runs stay small.
const RECORDED_OPENIDS = 100;

function recordedAudience(audience: Audience): Audience {
  if (audience.type !== 'openids' || audience.openids.length <= RECORDED_OPENIDS) return audience;
  return { type: 'openids', openids: audience.openids.slice(0, RECORDED_OPENIDS), total: audience.openids.length };
}

function submitJob(
  req: AuthedRequest,
  endpoint: 'sendall' | 'send',
  audience: Audience,
  content: MassContent,
  clientMsgId: string,
  derived: boolean,
): ApiBody {
  const { state } = req;
  const now = state.clock.now();
  const msgId = state.nextMsgId++;
  const msgDataId = content.msgtype === 'mpnews' ? state.nextMsgDataId++ : undefined;
  const fault = req.jobFault;
  const message: MassMessage = {
    msgId,
    ...(msgDataId === undefined ? {} : { msgDataId }),
    appid: req.appid,
    endpoint,
    audience: recordedAudience(audience),
    content,
    clientMsgId,
    clientMsgIdDerived: derived,
    status: 'SENDING',
    createdAt: now,
    finishAt: now + state.settings.jobDurationMs,
    counts: countRecipients(req, audience),
    pushStatus: fault?.kind === 'jobStatus' ? (fault.status ?? 'send fail') : 'send success',
    pushEnabled: fault?.kind !== 'dropPush',
    articleUrls: msgDataId === undefined ? [] : articleUrls(req, content, msgDataId),
    deletedArticles: [],
  };
  state.messages.set(msgId, message);
  state.sending.add(message);
  if (content.msgtype === 'mpnews') state.media.markSent(content.mediaId);
  rememberClientMsgId(state, req.appid, clientMsgId, msgId);
  scheduleJob(state);
  req.notes.push(`msg_id=${msgId}`);
  return {
    errcode: 0,
    errmsg: 'send job submission success',
    msg_id: msgId,
    ...(msgDataId === undefined ? {} : { msg_data_id: msgDataId }),
  };
}

function clientMsgIdFor(
  req: AuthedRequest,
  audience: Audience,
  content: MassContent,
): { id: string; derived: boolean } | undefined {
  const given = parseClientMsgId(req.body);
  if (given !== undefined) return { id: given, derived: false };
  return req.state.settings.deriveClientMsgId ? { id: deriveClientMsgId(audience, content), derived: true } : undefined;
}

export function sendAll(req: AuthedRequest): ApiBody {
  const { state, appid, account } = req;
  state.quotas.takeMinute(appid);
  if (account.type === 'service') state.quotas.takeDaily(`${appid}:mass-calls`, SERVICE_DAILY_MASS_CALLS, 45009);
  const audience = parseTagAudience(req.body, account);
  const content = contentOf(req, 'mass');
  const clientMsgId = clientMsgIdFor(req, audience, content);
  if (clientMsgId) checkClientMsgId(state, appid, clientMsgId.id);

  // Subscription accounts: one successful send by tag or to all a day. Service accounts:
  // at most 4 sends to all a month (they go into the history list).
  const { quotas } = state;
  if (account.type === 'subscription' && quotas.limits.daily && quotas.usedToday(`${appid}:sendall`) >= 1) {
    throw new WeChatError(45028, 'subscription accounts send once a day');
  }
  if (
    account.type === 'service' &&
    audience.type === 'all' &&
    quotas.limits.monthly &&
    quotas.usedThisMonth(`${appid}:to-all`) >= MONTHLY_TO_ALL
  ) {
    throw new WeChatError(45028, 'is_to_all at most 4 times a month');
  }
  const result = submitJob(
    req,
    'sendall',
    audience,
    content,
    clientMsgId?.id ?? `none:${state.nextMsgId}`,
    clientMsgId?.derived ?? false,
  );
  quotas.addToday(`${appid}:sendall`);
  if (audience.type === 'all') quotas.addThisMonth(`${appid}:to-all`);
  if (audience.type === 'all' && isProtected(state, appid)) {
    holdForConfirmation(state, state.messages.get(Number(result.msg_id))!);
    throw new WeChatError(89504, 'an administrator must confirm this send to all within 30 minutes');
  }
  return result;
}

export function sendToList(req: AuthedRequest): ApiBody {
  const { state, appid, account } = req;
  // Sending to an OpenID list is not available to subscription accounts.
  if (account.type === 'subscription') throw new WeChatError(48001, 'mass/send needs a verified service account');
  state.quotas.takeMinute(appid);
  state.quotas.takeDaily(`${appid}:mass-calls`, SERVICE_DAILY_MASS_CALLS, 45009);
  const audience = parseOpenIdAudience(req.body);
  const content = contentOf(req, 'mass');
  if (resolveAudience(account, audience, state.bulk.get(appid)).followers.length === 0) {
    throw new WeChatError(40003, 'touser');
  }
  const clientMsgId = clientMsgIdFor(req, audience, content);
  if (clientMsgId) checkClientMsgId(state, appid, clientMsgId.id);
  return submitJob(
    req,
    'send',
    audience,
    content,
    clientMsgId?.id ?? `none:${state.nextMsgId}`,
    clientMsgId?.derived ?? false,
  );
}

// towxname (a WeChat ID) wins over touser when both are set; an unknown WeChat ID is 40132.
function previewAudience(req: AuthedRequest): Audience {
  const { towxname, touser } = req.body;
  if (towxname !== undefined) {
    // Own keys only: a WeChat ID such as "toString" must not find Object.prototype's function.
    const openid =
      typeof towxname === 'string' && Object.hasOwn(req.account.wxnames, towxname)
        ? req.account.wxnames[towxname]
        : undefined;
    if (openid === undefined) throw new WeChatError(40132, 'towxname');
    return { type: 'preview', openid, towxname: towxname as string };
  }
  if (typeof touser !== 'string' || !req.account.followers.includes(touser)) throw new WeChatError(40003, 'touser');
  return { type: 'preview', openid: touser };
}

export function preview(req: AuthedRequest): ApiBody {
  const { state, appid } = req;
  state.quotas.takeDaily(`${appid}:previews`, DAILY_PREVIEWS, 45009);
  const audience = previewAudience(req);
  const content = contentOf(req, 'preview');
  const now = state.clock.now();
  const msgId = state.nextMsgId++;
  state.messages.set(msgId, {
    msgId,
    appid,
    endpoint: 'preview',
    audience,
    content,
    clientMsgIdDerived: false,
    status: 'SEND_SUCCESS',
    createdAt: now,
    finishAt: now,
    finishedAt: now,
    counts: { total: 1, filter: 1, sent: 1, error: 0 },
    pushStatus: 'send success',
    pushEnabled: false,
    articleUrls: [],
    deletedArticles: [],
  });
  req.notes.push(`msg_id=${msgId}`);
  return { errcode: 0, errmsg: 'preview success', msg_id: msgId };
}
