/** The shared token as every container stores and reads it (JSON in the store). */
export interface StoredToken {
  token: string;
  expiresAt: number;
  /** When WeChat last handed out this token. */
  checkedAt?: number;
}

/**
 * The record a store value holds, or undefined for anything else (another version's shape, a hand
 * edit): a fresh token is fetched then. Checked by hand rather than with a zod schema: every cold
 * container reads one, and a stampede's waiters each read the one their wake-up carries, where a
 * schema's first parse costs about 16 µs and this check about 1 µs. The property test in
 * test/shared/wechat/stored-token.test.ts holds it to the zod schema it replaces.
 */
export function readStoredToken(value: unknown): StoredToken | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { token, expiresAt, checkedAt } = value as Record<string, unknown>;
  if (typeof token !== 'string' || token.length === 0 || !Number.isFinite(expiresAt)) return undefined;
  if (checkedAt === undefined) return { token, expiresAt: expiresAt as number };
  return Number.isFinite(checkedAt)
    ? { token, expiresAt: expiresAt as number, checkedAt: checkedAt as number }
    : undefined;
}
