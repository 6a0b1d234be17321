import type { WeChatClient } from '../wechat/client';
import { massDelete } from '../wechat/endpoints';
import type { DeleteRequest, DeleteResponse } from './schemas';
import { toHttpError } from './wechat-errors';

export interface DeleteDeps {
  client: WeChatClient;
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
  try {
    await deps.client.call(massDelete, body);
    return { deleted: true };
  } catch (err) {
    throw toHttpError(
      err,
      { msgId: 'url' in request ? 'url' : 'msgId', articleIdx: 'articleIdx' },
      {},
      { 40059: DELETE_40059 },
    );
  }
}
