import { createHash, hash, timingSafeEqual } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isFresh, sha1HexByHashObject, sha1Signature, verifySignature } from '../../../shared/wechat/signature';
import {
  officialAccountTextMessage as oa,
  wecomTextMessage as wecom,
  wecomUrlVerification as wecomUrl,
} from '../../fixtures/wxbizmsgcrypt-vectors';

describe('sha1Signature', () => {
  it('reproduces the msg_signature of the Official Account sample', () => {
    expect(sha1Signature([oa.token, oa.timestamp, oa.nonce, oa.encrypt])).toBe(oa.msgSignature);
  });

  it('reproduces the msg_signature of the WeCom samples', () => {
    expect(sha1Signature([wecom.token, wecom.timestamp, wecom.nonce, wecom.encrypt])).toBe(wecom.msgSignature);
    expect(sha1Signature([wecomUrl.token, wecomUrl.timestamp, wecomUrl.nonce, wecomUrl.echostr])).toBe(
      wecomUrl.msgSignature,
    );
  });

  it('does not depend on the order of the parts', () => {
    expect(sha1Signature(['b', 'a', 'c'])).toBe(sha1Signature(['c', 'b', 'a']));
  });

  it("signs the parts in the order of JavaScript's default sort, for any text", () => {
    const part = fc.oneof(fc.string({ maxLength: 6 }), fc.string({ unit: 'binary', maxLength: 4 }), fc.constant(''));
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 6 }), (parts) => {
        const expected = createHash('sha1')
          .update([...parts].sort().join(''), 'utf8')
          .digest('hex');
        expect(sha1Signature(parts)).toBe(expected);
        expect(verifySignature(expected, [parts[0] as string], parts.slice(1))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('sha1HexByHashObject, the digest where crypto.hash is missing (Node 18)', () => {
  it('gives the digest crypto.hash gives, for any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (text) => {
        expect(sha1HexByHashObject(text)).toBe(hash('sha1', text, 'hex'));
      }),
      { numRuns: 500 },
    );
  });
});

describe('verifySignature', () => {
  const parts = ['1700000000', 'nonce-1'];
  const good = sha1Signature(['current-token', ...parts]);

  it('accepts a signature made with the current token', () => {
    expect(verifySignature(good, ['current-token'], parts)).toBe(true);
  });

  it('accepts a signature made with the previous token during a rotation', () => {
    const old = sha1Signature(['previous-token', ...parts]);
    expect(verifySignature(old, ['current-token', 'previous-token'], parts)).toBe(true);
  });

  it('rejects a signature made with another token', () => {
    const other = sha1Signature(['someone-else', ...parts]);
    expect(verifySignature(other, ['current-token', 'previous-token'], parts)).toBe(false);
  });

  it('rejects a signature over other parts', () => {
    expect(verifySignature(good, ['current-token'], ['1700000000', 'nonce-2'])).toBe(false);
  });

  it('rejects a missing, empty, truncated or lengthened signature', () => {
    expect(verifySignature(undefined, ['current-token'], parts)).toBe(false);
    expect(verifySignature('', ['current-token'], parts)).toBe(false);
    expect(verifySignature(good.slice(0, -1), ['current-token'], parts)).toBe(false);
    expect(verifySignature(`${good}0`, ['current-token'], parts)).toBe(false);
  });

  it('rejects everything when no token is configured', () => {
    expect(verifySignature(good, [], parts)).toBe(false);
  });

  it('accepts the hex digest in upper case', () => {
    expect(verifySignature(good.toUpperCase(), ['current-token'], parts)).toBe(true);
  });

  it('rejects a signature of the right length that is not hex, or is hex only up to a point', () => {
    expect(verifySignature(`${good.slice(0, 39)}g`, ['current-token'], parts)).toBe(false);
    expect(verifySignature(`${good.slice(0, 38)}  `, ['current-token'], parts)).toBe(false);
    expect(verifySignature(`${good.slice(0, 39)}\u212a`, ['current-token'], parts)).toBe(false);
    expect(verifySignature('0'.repeat(40), ['current-token'], parts)).toBe(false);
  });

  it('answers as a hex check and timingSafeEqual over the decoded digests do, for near misses in either case', () => {
    const swaps = [...'0123456789abcdefABCDEF', 'g', 'G', '@', '`', ' ', '\x10', '\x19', '\u212a', '\uff10'];
    const bySlowPath = (signature: string) =>
      /^[0-9A-Fa-f]{40}$/.test(signature) &&
      timingSafeEqual(
        Buffer.from(signature, 'hex'),
        createHash('sha1')
          .update(['current-token', ...parts].sort().join(''))
          .digest(),
      );
    fc.assert(
      fc.property(
        fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
        fc.option(fc.tuple(fc.nat(39), fc.constantFrom(...swaps))),
        (upper, change) => {
          let signature = [...good].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join('');
          if (change) signature = signature.slice(0, change[0]) + change[1] + signature.slice(change[0] + 1);
          expect(verifySignature(signature, ['current-token'], parts)).toBe(bySlowPath(signature));
        },
      ),
      { numRuns: 5000 },
    );
  });
});

describe('isFresh', () => {
  const now = 1_700_000_000_000;

  it('accepts a timestamp inside the window on either side', () => {
    expect(isFresh('1700000000', now)).toBe(true);
    expect(isFresh('1699999700', now)).toBe(true);
    expect(isFresh('1700000300', now)).toBe(true);
  });

  it('rejects a stale timestamp', () => {
    expect(isFresh('1699999699', now)).toBe(false);
  });

  it('rejects a timestamp from the future', () => {
    expect(isFresh('1700000301', now)).toBe(false);
  });

  it('honours a configured window', () => {
    expect(isFresh('1699999000', now, 1000)).toBe(true);
    expect(isFresh('1699999990', now, 5)).toBe(false);
  });

  it('rejects non-numeric timestamps', () => {
    for (const bad of [undefined, '', 'abc', '17e8', '-1', '1700000000.5', ' 1700000000', '0x10']) {
      expect(isFresh(bad, now)).toBe(false);
    }
    expect(isFresh(Number.NaN, now)).toBe(false);
  });
});
