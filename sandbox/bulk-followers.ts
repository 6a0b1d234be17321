import { beijingMonth } from './clock';

/**
 * Synthetic followers for sends of any size: with `bulkFollowers: N`, the service account is
 * also followed by N extra users whose OpenIDs are `bulkOpenId(0)` … `bulkOpenId(N - 1)`. They
 * are never listed, only recognised, and what each has received this month is one byte each,
 * so a test of a million-OpenID job costs the sandbox about a megabyte, not a Map of a million
 * strings. Like every follower they receive at most 4 mass messages a calendar month (Beijing).
 */
const PREFIX = 'oBULK';
const DIGITS = 23;
const PATTERN = /^oBULK(\d{23})$/;

/** 28 characters, like every OpenID: "oBULK" and the index in 23 digits. */
export function bulkOpenId(index: number): string {
  return `${PREFIX}${String(index).padStart(DIGITS, '0')}`;
}

export class BulkFollowers {
  private received: Uint8Array;
  private month = -1;
  /** Messages delivered to each bulk follower over the sandbox's life (for tests: exactly once?). */
  readonly delivered: Uint8Array;

  constructor(readonly count: number) {
    this.received = new Uint8Array(count);
    this.delivered = new Uint8Array(count);
  }

  indexOf(openid: string): number | undefined {
    const match = PATTERN.exec(openid);
    if (!match) return undefined;
    const index = Number(match[1]);
    return index < this.count ? index : undefined;
  }

  /** Counts one message for `index` this month; false when the follower already had 4. */
  deliver(index: number, now: number, monthlyLimit: number | undefined): boolean {
    const month = beijingMonth(now);
    if (month !== this.month) {
      this.received.fill(0);
      this.month = month;
    }
    if (monthlyLimit !== undefined && this.received[index]! >= monthlyLimit) return false;
    this.received[index] = Math.min(255, this.received[index]! + 1);
    this.delivered[index] = Math.min(255, this.delivered[index]! + 1);
    return true;
  }

  clear(): void {
    this.received.fill(0);
    this.delivered.fill(0);
    this.month = -1;
  }
}
