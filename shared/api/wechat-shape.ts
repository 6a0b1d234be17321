/**
 * Small translations from our camelCase request shape to WeChat's bodies, shared by the
 * message and media translations.
 */

/** WeChat's yes/no fields are 0 or 1, not JSON booleans; undefined stays unset. */
export const flag = (value: boolean | undefined): 0 | 1 | undefined =>
  value === undefined ? undefined : value ? 1 : 0;

/** Drops undefined members, so the body WeChat gets holds only what the caller set. */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
