import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readSafeEnvelope } from '../../../shared/callback/envelope';
import { parseXml, XmlError } from '../../../shared/callback/xml';
import { encryptMessage } from '../../../shared/wechat/callback-crypto';
import { envelope } from './callback-requests';

// What parseXml, the reader of every other envelope, gives as Encrypt; null when it refuses.
function encryptAsParsed(body: string): unknown {
  try {
    const { value } = parseXml(body, { maxBytes: 64 * 1024 });
    return typeof value === 'object' ? value.Encrypt : undefined;
  } catch (error) {
    if (error instanceof XmlError) return null;
    throw error;
  }
}

describe('readSafeEnvelope', () => {
  it('reads the Encrypt of an envelope as WeChat lays it out', () => {
    const encrypt = encryptMessage('<xml></xml>', { key: 'a'.repeat(43), appId: 'wx1' });
    expect(readSafeEnvelope(envelope(encrypt))).toBe(encrypt);
    expect(
      readSafeEnvelope(
        `<xml>\n  <ToUserName><![CDATA[gh_1]]></ToUserName>\n  <Encrypt><![CDATA[${encrypt}]]></Encrypt>\n</xml>\n`,
      ),
    ).toBe(encrypt);
  });

  it('leaves every other layout to parseXml', () => {
    for (const body of [
      envelope('abc', '<MsgType><![CDATA[event]]></MsgType>'),
      '<xml><Encrypt><![CDATA[abc]]></Encrypt><ToUserName><![CDATA[gh]]></ToUserName></xml>',
      '<xml><ToUserName><![CDATA[gh]]></ToUserName><Encrypt>abc</Encrypt></xml>',
      '<xml><ToUserName><![CDATA[gh]]></ToUserName><Encrypt><![CDATA[a]b]]></Encrypt></xml>',
      '<xml><ToUserName><![CDATA[gh]]></ToUserName><Encrypt><![CDATA[abc]]></Encrypt></xml><!-- -->',
      ' <xml><ToUserName><![CDATA[gh]]></ToUserName><Encrypt><![CDATA[abc]]></Encrypt></xml>',
      '<xml><ToUserName><![CDATA[gh]]></ToUserName><Encrypt><![CDATA[abc]]></Encrypt></xml>x',
    ]) {
      expect(readSafeEnvelope(body)).toBeUndefined();
    }
  });

  it('reads only what parseXml reads, and reads it the same, for envelopes and near misses', () => {
    const blank = fc.constantFrom('', '', ' ', '\n', '\r\n\t', '\u3000', '\u00a0', '\ufeff', 'x');
    const cdata = fc.oneof(
      fc.stringMatching(/^[A-Za-z0-9+/=]{0,12}$/),
      fc.string({ maxLength: 6 }),
      fc.constantFrom(']', ']]>', '<', '&amp;', '&', '\n'),
    );
    const body = fc
      .tuple(blank, cdata, blank, cdata, blank, blank, fc.boolean())
      .map(
        ([a, to, b, encrypt, c, d, wrapped]) =>
          `<xml>${a}<ToUserName>${wrapped ? `<![CDATA[${to}]]>` : to}</ToUserName>${b}` +
          `<Encrypt><![CDATA[${encrypt}]]></Encrypt>${c}</xml>${d}`,
      );
    const nearMiss = fc
      .tuple(body, fc.nat(), fc.nat({ max: 3 }), fc.constantFrom('', '<', ']', '>', ' ', '<!-- -->', '&lt;', '/'))
      .map(([xml, at, cut, insert]) => {
        const start = at % (xml.length + 1);
        return xml.slice(0, start) + insert + xml.slice(start + cut);
      });
    let read = 0;
    fc.assert(
      fc.property(fc.oneof(body, nearMiss), (input) => {
        const encrypt = readSafeEnvelope(input);
        if (encrypt === undefined) return;
        read += 1;
        expect(encrypt).toBe(encryptAsParsed(input));
      }),
      { numRuns: 10_000 },
    );
    expect(read).toBeGreaterThan(1_000);
  });
});
