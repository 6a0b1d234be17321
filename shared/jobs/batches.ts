import { createHash } from 'node:crypto';

/** WeChat's mass/send takes 2 to 10,000 OpenIDs (40130 otherwise). */
export const MAX_BATCH = 10_000;
export const MIN_BATCH = 2;

/**
 * Balanced batch sizes for `total` distinct OpenIDs: as few batches as WeChat allows, sizes
 * differing by at most one, so no batch is ever a single OpenID (25,001 → 8,334/8,334/8,333).
 */
export function batchSizes(total: number): number[] {
  if (!Number.isInteger(total) || total < MIN_BATCH) throw new RangeError(`a job needs at least ${MIN_BATCH} OpenIDs`);
  const count = Math.ceil(total / MAX_BATCH);
  const base = Math.floor(total / count);
  const larger = total % count;
  return Array.from({ length: count }, (_, i) => base + (i < larger ? 1 : 0));
}

/**
 * The clientmsgid of batch `index` (0-based) of the job sent under `jobClientMsgId`: the same
 * on every retry, so WeChat itself refuses a second send of a batch (45065 with its msg_id),
 * and at most 64 bytes (45067). Hashed so that no clientMsgId a caller picks for a plain send
 * can collide with a batch's: "j." + 32 base64url characters + "." + the batch number.
 */
export function batchClientMsgId(jobClientMsgId: string, index: number): string {
  const digest = createHash('sha256').update(`job\n${jobClientMsgId}`).digest('base64url').slice(0, 32);
  return `j.${digest}.${index + 1}`;
}
