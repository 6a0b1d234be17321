import type { MassSendJobReport } from '../reports/mass-send-job-report';
import { MassSendJobFinishEvent, readFlatMassSendJobFinish, toMassSendJobReport } from './mass-send-job-finish';
import type { XmlValue } from './xml';

/**
 * Routes what WeChat pushes to the developer URL, read from the string tree of `parseXml`.
 * Only MASSSENDJOBFINISH is typed (./mass-send-job-finish); every other message or event is
 * acknowledged and ignored.
 */

/** A MASSSENDJOBFINISH push that is missing a field or carries an unreadable one. */
export class CallbackValidationError extends Error {
  override readonly name = 'CallbackValidationError';
  constructor(readonly field: string) {
    super(`invalid or missing field: ${field}`);
  }
}

export type CallbackMessage =
  | { kind: 'mass_send_job_finish'; report: MassSendJobReport }
  | { kind: 'ignored'; msgType: string; event?: string };

function textField(value: XmlValue | XmlValue[] | undefined): string | undefined {
  return typeof value === 'string' ? value.trim() : undefined;
}

/** Routes a parsed `<xml>` body: MASSSENDJOBFINISH is validated, anything else ignored. */
export function parseCallbackMessage(root: XmlValue): CallbackMessage {
  if (typeof root === 'string') throw new CallbackValidationError('xml');
  const msgType = textField(root.MsgType);
  if (msgType === undefined) throw new CallbackValidationError('MsgType');
  const event = textField(root.Event);
  if (msgType !== 'event' || event !== 'MASSSENDJOBFINISH') {
    return event === undefined ? { kind: 'ignored', msgType } : { kind: 'ignored', msgType, event };
  }
  const flat = readFlatMassSendJobFinish(root);
  if (flat) return { kind: 'mass_send_job_finish', report: flat };
  const parsed = MassSendJobFinishEvent.safeParse({ ...root, MsgType: msgType, Event: event });
  if (!parsed.success) {
    const path = parsed.error.issues[0]?.path ?? [];
    throw new CallbackValidationError(path.map(String).join('.') || 'xml');
  }
  return { kind: 'mass_send_job_finish', report: toMassSendJobReport(parsed.data) };
}
