import { createHmac } from 'node:crypto';
import { safeEqual } from '../wechat/signature';
import type { Logger } from '../log';
import type { MassSendJobReport } from '../reports/mass-send-job-report';
import { defaultTransport } from '../transport/node-transport';
import { HttpTransportError, type HttpTransport } from '../transport/transport';

/**
 * Operator notification: the typed report POSTed as JSON to NOTIFY_URL. The receiver checks
 * `X-Signature-256: sha256=<hex HMAC-SHA256 of the raw body keyed with NOTIFY_SECRET>`,
 * the GitHub-webhook convention, so existing verifiers work unchanged.
 */
export const NOTIFY_SIGNATURE_HEADER = 'X-Signature-256';

export function signNotifyBody(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/** For receivers and tests: constant-time check of the header against the raw body. */
export function verifyNotifySignature(body: string, header: string | undefined, secret: string): boolean {
  return !!header && safeEqual(signNotifyBody(body, secret), header);
}

export interface NotifierOptions {
  url: string;
  secret: string;
  /** Gives up on the receiver after this long; keep it within the callback's notifyWaitMs. */
  timeoutMs?: number;
  /** Default: the container's node:http(s) transport, the one WeChat calls use. */
  transport?: HttpTransport;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
}

export const DEFAULT_NOTIFY_TIMEOUT_MS = 1500;
// WeChat gives up on an answer after 5 s and redelivers; the callback's wait stays well inside.
export const DEFAULT_NOTIFY_WAIT_MS = 1500;

/**
 * Returns a sender whose promise settles when the receiver has answered, failed or timed out,
 * and never rejects: failures are logged (with the status or error name only) and dropped.
 * The callback awaits it, capped, because SCF freezes an instance with whatever is still
 * pending once the handler's promise resolves.
 */
export function createNotifier(options: NotifierOptions): (report: MassSendJobReport) => Promise<void> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_NOTIFY_TIMEOUT_MS;
  const target = new URL(options.url);
  const where = `${target.origin}${target.pathname}`;

  async function deliver(report: MassSendJobReport): Promise<void> {
    const body = JSON.stringify(report);
    const response = await (options.transport ?? defaultTransport())({
      method: 'POST',
      url: target,
      headers: {
        'content-type': 'application/json',
        [NOTIFY_SIGNATURE_HEADER]: signNotifyBody(body, options.secret),
      },
      body,
      timeoutMs,
      // The receiver's answer is only looked at for its status.
      maxResponseBytes: 64 * 1024,
    });
    if (response.status < 200 || response.status > 299) {
      options.log.warn('notify rejected by receiver', { msgId: report.msgId, url: where, status: response.status });
      return;
    }
    options.log.info('notify delivered', { msgId: report.msgId, url: where });
  }

  return (report) =>
    deliver(report).catch((error: unknown) => {
      options.log.warn('notify failed', {
        msgId: report.msgId,
        url: where,
        error: error instanceof HttpTransportError ? error.kind : error instanceof Error ? error.name : typeof error,
      });
    });
}

/**
 * SCF freezes an instance, pending requests included, as soon as the handler's promise
 * resolves, so a notification left running may never be sent. The callback awaits it instead,
 * but never longer than `waitMs`; a throwing or rejecting `notify` is logged, never rethrown.
 */
export async function notifyWithin(
  notify: (report: MassSendJobReport) => Promise<void>,
  report: MassSendJobReport,
  waitMs: number,
  log: Pick<Logger, 'warn'>,
): Promise<void> {
  const sent = Promise.resolve()
    .then(() => notify(report))
    .then(
      () => true,
      () => {
        log.warn('mass send report notification failed', { msgId: report.msgId });
        return true;
      },
    );
  let timer: NodeJS.Timeout | undefined;
  const cap = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), waitMs);
  });
  const settled = await Promise.race([sent, cap]);
  clearTimeout(timer);
  if (!settled) log.warn('mass send report notification still pending at the answer', { msgId: report.msgId });
}
