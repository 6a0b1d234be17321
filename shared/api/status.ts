import { readMassReport } from '../reports/mass-report-store';
import type { Logger } from '../log';
import type { MassSendJobReport } from '../reports/mass-send-job-report';
import type { Store } from '../store/store';
import type { WeChatClient } from '../wechat/client';
import { massGet, type MsgStatus } from '../wechat/endpoints';
import type { MsgId } from './ids';
import { HttpError } from '../http/http-error';
import { readSendRecord } from './idempotency';
import { awaitingMessage } from './mass-send';
import { SendOutcome } from './send-outcomes';
import type { SendStatusResponse, StatusResponse } from './schemas';
import { deletedKey } from './deleted-marker';
import { callWeChat } from './call-wechat';

export interface StatusDeps {
  /** Reports are stored per account (several may share one Redis). */
  appId: string;
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
    readMassReport(deps.store, deps.appId, msgId).catch((err: unknown) => {
      deps.log.warn('mass report unreadable', { msgId, err });
      return null;
    }),
    // Unknown (undefined) when the store fails: WeChat's mass/get answers instead.
    deps.store.get(deletedKey(deps.appId, msgId)).catch((err: unknown) => {
      deps.log.warn('deleted marker unreadable', { msgId, err });
      return undefined;
    }),
  ]);
  const final = report && finalStatus(report);
  if (report && final && deleted !== undefined) {
    return { msgId, status: deleted === null ? final : 'DELETE', source: 'report', report };
  }
  const reply = await callWeChat(deps.client, massGet, { msg_id: msgId }, { msgId: 'msgId' });
  return { msgId: reply.msg_id, status: reply.msg_status, source: 'wechat', report };
}

/**
 * A send by its clientMsgId: what the send's record holds, and once WeChat has given the msgId,
 * the status of that msgId as above. Reading never calls WeChat's send again: a send waiting
 * for an administrator is asked about by repeating the send with the same clientMsgId.
 */
export async function getSendStatus(deps: StatusDeps, clientMsgId: string): Promise<SendStatusResponse> {
  const record = await readSendRecord(deps.store, deps.appId, clientMsgId, SendOutcome);
  if (record === undefined) {
    throw new HttpError(
      404,
      'send_not_found',
      'no send with this clientMsgId is recorded (records are kept 24 hours)',
      {
        fields: [{ path: '(query) clientMsgId', reason: 'no send with this clientMsgId in the last 24 hours' }],
      },
    );
  }
  if (record.state === 'pending') {
    return { clientMsgId, state: 'sending', message: 'a call to WeChat for this send is under way; ask again shortly' };
  }
  if (record.state === 'unknown') {
    return {
      clientMsgId,
      state: 'outcome_unknown',
      message: 'WeChat gave no answer: repeat the send with the same clientMsgId to find out, it never sends twice',
    };
  }
  const outcome = record.result;
  if (outcome.kind === 'awaiting_confirmation') {
    return { clientMsgId, state: 'awaiting_confirmation', message: awaitingMessage(clientMsgId) };
  }
  const { msgId, msgDataId } = outcome;
  const status = await getStatus(deps, msgId);
  return {
    clientMsgId,
    state: 'sent',
    message: 'WeChat accepted this send',
    msgId: status.msgId,
    ...(msgDataId ? { msgDataId } : {}),
    status: status.status,
    source: status.source,
    report: status.report,
  };
}
