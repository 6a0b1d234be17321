import * as z from 'zod/mini';

/**
 * The `Status` of a MASSSENDJOBFINISH push: "send success", "send fail" or "err(N)".
 * "send success" may still leave a few followers unreached (they refused messages, system
 * errors); the counts tell. The official sample and many SDKs spell them "sendsuccess" and
 * "sendfail" (no space), so words are compared ignoring spaces and case.
 */

/**
 * `err(N)` audit reasons as the official mass-send page lists them (10001 to 30003, seed 001).
 * 40001 and 40002 are outcomes of "API mass-send protection" (an admin must confirm within
 * 30 minutes; see the project reference): statuses of this job, unrelated to the token
 * errcode 40001 of the HTTP API.
 */
export const MASS_SEND_ERROR_REASONS = {
  10001: 'ads',
  20001: 'politics',
  20002: 'porn',
  20004: 'society',
  20006: 'crime',
  20008: 'fraud',
  20013: 'copyright',
  21000: 'other',
  22000: 'mutual_promotion',
  30001: 'originality_check_system_error',
  30002: 'originality_check_not_sendable',
  30003: 'originality_check_reprint_not_sent',
  40001: 'admin_rejected',
  40002: 'admin_confirmation_timeout',
} as const;

export const MassSendErrorReason = z.enum([...Object.values(MASS_SEND_ERROR_REASONS), 'unknown']);
export type MassSendErrorReason = z.infer<typeof MassSendErrorReason>;

// A report is worth more than strictness here: refusing an unknown Status with a 400 would make
// WeChat give up after three tries and the counts would be lost.
const MAX_STATUS_TEXT = 100;

export const MassSendStatus = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('success') }),
  z.object({ kind: z.literal('fail') }),
  z.object({ kind: z.literal('error'), code: z.number().check(z.int()), reason: MassSendErrorReason }),
  /** A Status text WeChat has not documented: kept verbatim rather than losing the report. */
  z.object({
    kind: z.literal('unrecognised'),
    text: z.string().check(z.minLength(1), z.maxLength(MAX_STATUS_TEXT)),
  }),
]);
export type MassSendStatus = z.infer<typeof MassSendStatus>;

export function parseMassSendStatus(text_: string): MassSendStatus | undefined {
  // What WeChat sends, answered before normalising.
  if (text_ === 'send success') return { kind: 'success' };
  if (text_ === 'send fail') return { kind: 'fail' };
  const normalised = text_.replace(/\s+/g, '').toLowerCase();
  if (normalised === 'sendsuccess') return { kind: 'success' };
  if (normalised === 'sendfail') return { kind: 'fail' };
  const match = /^err\((\d{1,9})\)$/.exec(normalised);
  if (!match) {
    const text = text_.trim();
    return text && text.length <= MAX_STATUS_TEXT ? { kind: 'unrecognised', text } : undefined;
  }
  const code = Number(match[1]);
  const reason: MassSendErrorReason =
    (MASS_SEND_ERROR_REASONS as Record<number, MassSendErrorReason>)[code] ?? 'unknown';
  return { kind: 'error', code, reason };
}
