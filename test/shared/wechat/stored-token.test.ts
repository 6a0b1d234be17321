import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { readStoredToken } from '../../../shared/wechat/stored-token';

// The zod schema readStoredToken replaced: it stays the definition of an acceptable record.
const StoredTokenSchema = z.object({
  token: z.string().check(z.minLength(1)),
  expiresAt: z.number(),
  checkedAt: z.optional(z.number()),
});

const bySchema = (value: unknown) => {
  const parsed = StoredTokenSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
};

// Records near the accepted shape, as JSON.parse gives them (no undefined): each field present or
// not, of the right type or another.
const anyField = fc.oneof(fc.string(), fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.jsonValue());
const nearRecord = fc.record(
  {
    token: fc.oneof(fc.string(), anyField),
    expiresAt: fc.oneof(fc.double(), fc.integer(), anyField),
    checkedAt: fc.oneof(fc.double(), fc.integer(), anyField),
    other: anyField,
  },
  { requiredKeys: [] },
);

describe('readStoredToken', () => {
  it('accepts and returns exactly what the zod schema does, for records near the shape', () => {
    fc.assert(
      fc.property(nearRecord, (value) => {
        expect(readStoredToken(value)).toStrictEqual(bySchema(value));
      }),
      { numRuns: 2_000 },
    );
  });

  it('accepts and returns exactly what the zod schema does, for any JSON value a store may hold', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(readStoredToken(value)).toStrictEqual(bySchema(value));
      }),
      { numRuns: 2_000 },
    );
  });

  it('reads a record written by the provider, without its unknown fields', () => {
    const value = JSON.parse('{"token":"T1","expiresAt":1700000000000,"checkedAt":1699990000000,"v":2}');
    expect(readStoredToken(value)).toStrictEqual({
      token: 'T1',
      expiresAt: 1_700_000_000_000,
      checkedAt: 1_699_990_000_000,
    });
  });

  it('refuses an empty token, a missing expiry, an array and a number', () => {
    for (const value of [{ token: '', expiresAt: 1 }, { token: 'T1' }, [{ token: 'T1', expiresAt: 1 }], 5, null]) {
      expect(readStoredToken(value)).toBeUndefined();
    }
  });
});
