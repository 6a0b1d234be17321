import { MassSendJobReport } from './mass-send-job-report';
import type { Store } from '../store/store';
import { isMsgId } from '../wechat/msg-id';

/**
 * Where a MASSSENDJOBFINISH report lives, keyed by the AppID and WeChat's MsgID: several
 * Official Accounts may share one Redis, and a MsgID is only unique within one account. A
 * separate module so the `status` bundle reads reports without pulling in the callback's
 * parser and crypto.
 */

// WeChat keeps a mass send queryable for a while; 90 days covers any follow-up we do.
export const MASS_REPORT_TTL_MS = 90 * 24 * 60 * 60 * 1000;

export function massReportKey(appId: string, msgId: string): string {
  return `mass:report:${appId}:${msgId}`;
}

/**
 * Stores the report once: WeChat redelivers a push it got no answer to within ~5 s (3 tries),
 * possibly to another instance. True when this call stored it.
 */
export function recordMassReport(store: Store, appId: string, report: MassSendJobReport): Promise<boolean> {
  return store.setIfAbsent(massReportKey(appId, report.msgId), JSON.stringify(report), MASS_REPORT_TTL_MS);
}

/** The stored report, null when there is none; a record that is not a report for `msgId` throws. */
export async function readMassReport(store: Store, appId: string, msgId: string): Promise<MassSendJobReport | null> {
  if (!isMsgId(msgId)) return null;
  const raw = await store.get(massReportKey(appId, msgId));
  if (raw === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new Error(`stored mass report for ${msgId} is not JSON`);
  }
  const parsed = MassSendJobReport.safeParse(value);
  if (!parsed.success || parsed.data.msgId !== msgId) {
    throw new Error(`stored mass report for ${msgId} is unreadable`, { cause: parsed.error });
  }
  return parsed.data;
}
