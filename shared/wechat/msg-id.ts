import * as z from 'zod/mini';

/**
 * WeChat's msg_id / msg_data_id, the one schema for every place a mass-send id enters: the
 * HTTP API, WeChat's JSON replies (see json-ids.ts) and the MASSSENDJOBFINISH push. They are
 * 64-bit integers already past 2^31 (e.g. 3147494552), so they stay exact decimal strings: a
 * JSON number past 2^53 would be rounded by every JavaScript client. They travel to WeChat as
 * bare JSON numbers, so a 20-digit value past 2^64 − 1, or one with leading zeros (which is not
 * a JSON number), is refused: WeChat could not read it, and a report stored under it could
 * never be found again.
 */
const MAX_MSG_ID = 2n ** 64n - 1n;

/** The digits of a msg_id, for documents (OpenAPI) that cannot run the range check. */
export const MSG_ID_PATTERN = /^(?:0|[1-9]\d{0,19})$/;

/** False only for a 20-digit value past 2^64 − 1 (the range half of the schema below). */
export function fitsMsgIdRange(value: string): boolean {
  return !/^\d{20}$/.test(value) || BigInt(value) <= MAX_MSG_ID;
}

export const MsgId = z
  .string({
    // A JSON number past 2^53 has already lost digits by the time anyone reads it.
    error: (issue) =>
      typeof issue.input === 'number'
        ? "must be a string of digits, not a JSON number: WeChat's " +
          'ids pass 2^53, which a JSON number cannot hold exactly'
        : undefined,
  })
  .check(
    z.regex(MSG_ID_PATTERN, 'must be a msg_id as a string of decimal digits without leading zeros'),
    z.refine(fitsMsgIdRange, `must be at most ${MAX_MSG_ID} (a 64-bit msg_id)`),
  )
  .brand<'MsgId'>();
export type MsgId = z.infer<typeof MsgId>;

export function isMsgId(value: string): value is MsgId {
  return MsgId.safeParse(value).success;
}
