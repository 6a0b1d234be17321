import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCallbackHandler } from '../../../shared/callback/handle-callback';
import { parseXml, XmlError } from '../../../shared/callback/xml';
import { decryptMessage, encryptMessage } from '../../../shared/wechat/callback-crypto';
import { massSendJobFinish } from '../../fixtures/mass-send-job-finish';
import { AES_KEY, APP_ID, callbackDeps, driveCallback, plainPush, safePush, signedEncrypt } from './callback-requests';

const handle = driveCallback(createCallbackHandler(callbackDeps({ maxBodyBytes: 8 * 1024 })));

// Plain mode is refused once an EncodingAESKey is set, so plain bodies go to a plain-only callback.
const handlePlain = driveCallback(createCallbackHandler(callbackDeps({ aesKeys: [], maxBodyBytes: 8 * 1024 })));

// Fragments of WeChat XML, so generated bodies get past the first character now and then.
const xmlish = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        '<xml>',
        '</xml>',
        '<MsgType>',
        '</MsgType>',
        '<![CDATA[',
        ']]>',
        '<item>',
        '</item>',
        '&amp;',
        '&#',
        '<!',
        '<?',
        '/>',
        'event',
        'MASSSENDJOBFINISH',
      ),
      fc.string({ maxLength: 8 }),
    ),
    { maxLength: 30 },
  )
  .map((parts) => parts.join(''));

describe('bad input never becomes a 500', () => {
  it('parseXml either parses or throws an XmlError', () => {
    fc.assert(
      fc.property(xmlish, (input) => {
        try {
          parseXml(input, { maxBytes: 4096 });
        } catch (error) {
          expect(error).toBeInstanceOf(XmlError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('a correctly signed plain push with any body gets a 2xx or a 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(xmlish, async (body) => {
        const res = await handlePlain(plainPush(body));
        expect(res.status === 200 || (res.status >= 400 && res.status < 500)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('a correctly signed safe push with any encrypted body gets a 2xx or a 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(xmlish, async (body) => {
        const res = await handle(safePush(body));
        expect(res.status === 200 || (res.status >= 400 && res.status < 500)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('a correctly signed safe push with any Encrypt text gets a 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.base64String({ maxLength: 200 }), fc.string({ maxLength: 200 })),
        async (encrypt) => {
          const res = await handle(signedEncrypt(encrypt.replace(/]]>/g, '')));
          expect(res.status >= 400 && res.status < 500).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a signed mass push with one field replaced by arbitrary text gets a 2xx or a 4xx', async () => {
    const fields = ['MsgID', 'Status', 'TotalCount', 'CreateTime', 'ErrorCount'];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...fields), fc.string({ maxLength: 20 }), async (field, text) => {
        const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
        const xml = massSendJobFinish().replace(
          new RegExp(`<${field}>.*</${field}>`),
          `<${field}>${escaped}</${field}>`,
        );
        const res = await handle(safePush(xml));
        expect(res.status === 200 || res.status === 400).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('encryptMessage and decryptMessage', () => {
  it('round-trip any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (message) => {
        const encrypt = encryptMessage(message, { key: AES_KEY, appId: APP_ID });
        expect(decryptMessage(encrypt, { keys: [AES_KEY], appId: APP_ID })).toBe(message);
      }),
      { numRuns: 300 },
    );
  });
});
