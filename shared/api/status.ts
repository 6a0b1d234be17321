import { readMassReport } from '../callback/mass-report-store';
import type { Logger } from '../log';
import type { Store } from '../store/store';
import type { WeChatClient } from '../wechat/client';
import { massGet } from '../wechat/endpoints';
import type { MsgId } from './ids';
import type { StatusResponse } from './schemas';
import { toHttpError } from './wechat-errors';

export interface StatusDeps {
  client: WeChatClient;
  store: Store;
  log: Logger;
}

/**
 * WeChat's msg_status plus the MASSSENDJOBFINISH report the callback recorded. The push can
 * be missing (WeChat does not always send it), so mass/get is the source for the status and
 * the report, with its counts, is null until it arrives.
 */
export async function getStatus(deps: StatusDeps, msgId: MsgId): Promise<StatusResponse> {
  const [reply, report] = await Promise.all([
    deps.client.call(massGet, { msg_id: msgId }).catch((err: unknown) => {
      throw toHttpError(err, { msgId: 'msgId' });
    }),
    // An unreadable record should not hide WeChat's status.
    readMassReport(deps.store, msgId).catch((err: unknown) => {
      deps.log.warn('mass report unreadable', { msgId, err });
      return null;
    }),
  ]);
  return { msgId: reply.msg_id, status: reply.msg_status, report };
}
