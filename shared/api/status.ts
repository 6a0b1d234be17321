import { readMassReport } from '../reports/mass-report-store';
import type { Logger } from '../log';
import type { MassSendJobReport } from '../reports/mass-send-job-report';
import type { Store } from '../store/store';
import type { WeChatClient } from '../wechat/client';
import { massGet, type MsgStatus } from '../wechat/endpoints';
import type { MsgId } from './ids';
import type { StatusResponse } from './schemas';
import { deletedKey } from './deleted-marker';
import { toHttpError } from './wechat-errors';

export interface StatusDeps {
  client: WeChatClient;
  store: Store;
  log: Logger;
}

/** The final status a report tells; undefined for a Status WeChat has not documented. */
function finalStatus(report: MassSendJobReport): MsgStatus | undefined {
  switch (report.status.kind) {
    case 'success':
      return 'SEND_SUCCESS';
    case 'fail':
    case 'error':
      return 'SEND_FAIL';
    default:
      return undefined;
  }
}

/**
 * Once the callback has recorded the MASSSENDJOBFINISH report, the send is over: the status
 * comes from the store, without calling mass/get (it counts against a daily API quota) and
 * even when WeChat is unreachable. Before the report (WeChat does not always push it), or for
 * a Status this product cannot read, mass/get tells the status and `report` is what is known.
 */
export async function getStatus(deps: StatusDeps, msgId: MsgId): Promise<StatusResponse> {
  const [report, deleted] = await Promise.all([
    // An unreadable record should not hide WeChat's status.
    readMassReport(deps.store, msgId).catch((err: unknown) => {
      deps.log.warn('mass report unreadable', { msgId, err });
      return null;
    }),
    deps.store.get(deletedKey(msgId)),
  ]);
  const final = report && finalStatus(report);
  if (report && final) {
    return { msgId, status: deleted === null ? final : 'DELETE', source: 'report', report };
  }
  const reply = await deps.client.call(massGet, { msg_id: msgId }).catch((err: unknown) => {
    throw toHttpError(err, { msgId: 'msgId' });
  });
  return { msgId: reply.msg_id, status: reply.msg_status, source: 'wechat', report };
}
