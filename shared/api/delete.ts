import type { Logger } from '../log';
import type { Store } from '../store/store';
import type { WeChatClient } from '../wechat/client';
import { massDelete } from '../wechat/endpoints';
import type { DeleteRequest, DeleteResponse } from './schemas';
import { recordDeleted } from './deleted-marker';
import { callWeChat } from './call-wechat';

export interface DeleteDeps {
  appId: string;
  client: WeChatClient;
  store: Store;
  log: Logger;
}

// mass/delete answers 40059 for an unknown msg_id and for one it cannot delete alike.
export const DELETE_40059 =
  'WeChat cannot delete this message: the msgId (or url) is unknown, or the message is not deletable ' +
  '(only mpnews and mpvideo sends that finished successfully can be deleted)';

/**
 * Deletes a sent mpnews or video: the article page stops working, cards already received stay.
 * When the same news item went out in several sends, deleting one kills it for all (WeChat).
 */
export async function deleteMassMessage(deps: DeleteDeps, request: DeleteRequest): Promise<DeleteResponse> {
  const body =
    'url' in request
      ? { url: request.url }
      : { msg_id: request.msgId, ...(request.articleIdx !== undefined ? { article_idx: request.articleIdx } : {}) };
  const fields = { msgId: 'url' in request ? 'url' : 'msgId', articleIdx: 'articleIdx' };
  await callWeChat(deps.client, massDelete, body, fields, { 40059: DELETE_40059 });
  // /status answers a reported send from the store: note the deletion there. Only a whole message
  // by msgId: a url does not say which msgId it was, and WeChat also turns other sends of the same
  // news DELETE; /status keeps the report's final status for those.
  if ('msgId' in request && !request.articleIdx) {
    await recordDeleted(deps.store, deps.appId, request.msgId).catch((err: unknown) =>
      deps.log.warn('could not note the deletion for /status', { msgId: request.msgId, err }),
    );
  }
  return { deleted: true };
}
