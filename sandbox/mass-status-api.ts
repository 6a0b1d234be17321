import type { ApiBody, AuthedRequest } from './api-types';
import { WeChatError } from './errors';
import type { MassMessage } from './state';

/**
 * mass/get, mass/delete and the speed endpoints.
 * Delete (our errcode choices): an unknown msg_id or url, a message that is not mpnews or
 * mpvideo, or one that has not finished successfully → 40059; a bad article_idx → 40060.
 * msg_id wins over url. Deleting an mpnews kills the article for every send of the same news
 * media, so all those sends turn DELETE.
 */
function parseMsgId(value: unknown): number {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'string' && /^\d{1,16}$/.test(value)) return Number(value);
  throw new WeChatError(40059, 'msg_id');
}

function findMessage(req: AuthedRequest, msgId: number): MassMessage {
  const message = req.state.messages.get(msgId);
  if (!message || message.appid !== req.appid) throw new WeChatError(40059, 'msg_id');
  return message;
}

export function getStatus(req: AuthedRequest): ApiBody {
  const message = findMessage(req, parseMsgId(req.body.msg_id));
  req.notes.push(`msg_id=${message.msgId} ${message.status}`);
  return { msg_id: message.msgId, msg_status: message.status };
}

function messageToDelete(req: AuthedRequest): MassMessage {
  const { msg_id: msgId, url } = req.body;
  if (msgId !== undefined) return findMessage(req, parseMsgId(msgId));
  if (typeof url !== 'string' || url === '') throw new WeChatError(40059, 'msg_id or url');
  const byUrl = [...req.state.messages.values()].find((m) => m.appid === req.appid && m.articleUrls.includes(url));
  if (!byUrl) throw new WeChatError(40059, 'url');
  return byUrl;
}

function parseArticleIdx(value: unknown, message: MassMessage): number {
  if (value === undefined) return 0;
  const articles = message.content.msgtype === 'mpnews' ? message.content.articleCount : 0;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > articles) {
    throw new WeChatError(40060, 'article_idx');
  }
  return value;
}

export function deleteMessage(req: AuthedRequest): ApiBody {
  const message = messageToDelete(req);
  const { content } = message;
  if (message.endpoint === 'preview' || (content.msgtype !== 'mpnews' && content.msgtype !== 'mpvideo')) {
    throw new WeChatError(40059, 'only mpnews and mpvideo sends can be deleted');
  }
  const articleIdx = parseArticleIdx(req.body.article_idx, message);
  if (message.status !== 'SEND_SUCCESS' && message.status !== 'DELETE') {
    throw new WeChatError(40059, 'only a successfully sent message can be deleted');
  }
  const sameMedia = [...req.state.messages.values()].filter(
    (m) =>
      m.appid === req.appid &&
      m.endpoint !== 'preview' &&
      'mediaId' in m.content &&
      m.content.mediaId === content.mediaId,
  );
  for (const target of sameMedia) {
    if (target.status !== 'SEND_SUCCESS') continue;
    if (articleIdx > 0 && !target.deletedArticles.includes(articleIdx)) target.deletedArticles.push(articleIdx);
    const articles = target.content.msgtype === 'mpnews' ? target.content.articleCount : 1;
    if (articleIdx === 0 || target.deletedArticles.length >= articles) target.status = 'DELETE';
  }
  req.notes.push(`msg_id=${message.msgId}${articleIdx > 0 ? ` article_idx=${articleIdx}` : ''}`);
  return { errcode: 0, errmsg: 'ok' };
}

// speed 0..4 ↔ realspeed in 10k users a minute: 800k, 600k, 450k, 300k, 100k.
const REALSPEED = [80, 60, 45, 30, 10] as const;

export function getSpeed(req: AuthedRequest): ApiBody {
  const speed = req.state.speeds.get(req.appid) ?? 0;
  return { speed, realspeed: REALSPEED[speed] ?? 80 };
}

export function setSpeed(req: AuthedRequest): ApiBody {
  const { speed } = req.body;
  if (speed === undefined || speed === null) throw new WeChatError(45084, 'speed');
  if (typeof speed !== 'number' || !Number.isInteger(speed) || speed < 0 || speed > 4)
    throw new WeChatError(45083, 'speed');
  req.state.speeds.set(req.appid, speed);
  req.notes.push(`speed=${speed}`);
  return { errcode: 0, errmsg: 'ok' };
}
