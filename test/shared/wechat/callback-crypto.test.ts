import { createCipheriv, createDecipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  CallbackCryptoError,
  decodeAesKey,
  decryptCbc,
  decryptMessage,
  encryptMessage,
} from '../../../shared/wechat/callback-crypto';
import {
  officialAccountReplyEncryption as oaReply,
  officialAccountTextMessage as oa,
  wecomTextMessage as wecom,
  wecomUrlVerification as wecomUrl,
} from '../../fixtures/wxbizmsgcrypt-vectors';

const KEY = 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR';
const PREVIOUS_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const APP_ID = 'wx0123456789abcdef';

/** Encrypts an arbitrary, possibly malformed, padded plaintext with our key. */
function rawEncrypt(padded: Buffer, encodingAesKey = KEY): string {
  const key = decodeAesKey(encodingAesKey);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(padded), cipher.final()]).toString('base64');
}

function frame(message: string, appId: string, lengthField?: number): Buffer {
  const body = Buffer.from(message);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(lengthField ?? body.length, 0);
  return Buffer.concat([Buffer.alloc(16, 7), length, body, Buffer.from(appId)]);
}

function pad(plain: Buffer): Buffer {
  const n = 32 - (plain.length % 32);
  return Buffer.concat([plain, Buffer.alloc(n, n)]);
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof CallbackCryptoError) return error.code;
    throw error;
  }
  return undefined;
}

describe('official WXBizMsgCrypt vectors', () => {
  it('decrypts the Official Account sample byte for byte', () => {
    const message = decryptMessage(oa.encrypt, { keys: [oa.encodingAesKey], appId: oa.appId });
    expect(message).toBe(oa.decrypted);
  });

  it('re-encrypts the Official Account sample with its random prefix to the same ciphertext', () => {
    const encrypt = encryptMessage(oa.decrypted, {
      key: oa.encodingAesKey,
      appId: oa.appId,
      random: Buffer.from(oa.random),
    });
    expect(encrypt).toBe(oa.encrypt);
  });

  it('reproduces both ciphertexts of the Official Account Java sample test', () => {
    for (const vector of oaReply.cases) {
      const encrypt = encryptMessage(vector.message, {
        key: oaReply.encodingAesKey,
        appId: oaReply.appId,
        random: Buffer.from(oaReply.random),
      });
      expect(encrypt).toBe(vector.encrypt);
      expect(decryptMessage(vector.encrypt, { keys: [oaReply.encodingAesKey], appId: oaReply.appId })).toBe(
        vector.message,
      );
    }
  });

  it('decrypts and re-encrypts the WeCom message sample (CorpID in place of the AppID)', () => {
    expect(decryptMessage(wecom.encrypt, { keys: [wecom.encodingAesKey], appId: wecom.corpId })).toBe(wecom.decrypted);
    const encrypt = encryptMessage(wecom.decrypted, {
      key: wecom.encodingAesKey,
      appId: wecom.corpId,
      random: Buffer.from(wecom.random),
    });
    expect(encrypt).toBe(wecom.encrypt);
  });

  it('decrypts the WeCom encrypted echostr sample', () => {
    expect(decryptMessage(wecomUrl.echostr, { keys: [wecomUrl.encodingAesKey], appId: wecomUrl.corpId })).toBe(
      wecomUrl.decrypted,
    );
    expect(
      encryptMessage(wecomUrl.decrypted, {
        key: wecomUrl.encodingAesKey,
        appId: wecomUrl.corpId,
        random: Buffer.from(wecomUrl.random),
      }),
    ).toBe(wecomUrl.echostr);
  });
});

describe('encryptMessage and decryptMessage', () => {
  it('round-trips a message with multi-byte characters', () => {
    const message = '<xml><Content><![CDATA[群发完成 ✓]]></Content></xml>';
    const encrypt = encryptMessage(message, { key: KEY, appId: APP_ID });
    expect(decryptMessage(encrypt, { keys: [KEY], appId: APP_ID })).toBe(message);
  });

  it('pads to 32-byte blocks, adding a whole block when already aligned', () => {
    const aligned = 'x'.repeat(32 - 20 - APP_ID.length + 32);
    const encrypt = encryptMessage(aligned, { key: KEY, appId: APP_ID });
    expect(Buffer.from(encrypt, 'base64').length).toBe(20 + aligned.length + APP_ID.length + 32);
  });

  it('uses a fresh random prefix each time', () => {
    const a = encryptMessage('same', { key: KEY, appId: APP_ID });
    const b = encryptMessage('same', { key: KEY, appId: APP_ID });
    expect(a).not.toBe(b);
  });

  it('accepts the previous EncodingAESKey during a rotation', () => {
    const encrypt = encryptMessage('old key', { key: PREVIOUS_KEY, appId: APP_ID });
    expect(decryptMessage(encrypt, { keys: [KEY, PREVIOUS_KEY], appId: APP_ID })).toBe('old key');
  });

  it('rejects a message encrypted with a key that is not configured', () => {
    const encrypt = encryptMessage('wrong key', { key: PREVIOUS_KEY, appId: APP_ID });
    expect(codeOf(() => decryptMessage(encrypt, { keys: [KEY], appId: APP_ID }))).toMatch(
      /^(bad_padding|bad_length|appid_mismatch)$/,
    );
  });

  it('rejects a message for another AppID', () => {
    const encrypt = encryptMessage('hello', { key: KEY, appId: 'wxffffffffffffffff' });
    expect(codeOf(() => decryptMessage(encrypt, { keys: [KEY], appId: APP_ID }))).toBe('appid_mismatch');
  });

  it('rejects an AppID that is only a prefix or an extension of ours', () => {
    const shorter = rawEncrypt(pad(frame('hello', APP_ID.slice(0, -1))));
    const longer = rawEncrypt(pad(frame('hello', `${APP_ID}x`)));
    expect(codeOf(() => decryptMessage(shorter, { keys: [KEY], appId: APP_ID }))).toBe('appid_mismatch');
    expect(codeOf(() => decryptMessage(longer, { keys: [KEY], appId: APP_ID }))).toBe('appid_mismatch');
  });

  it('rejects a length field pointing past the end', () => {
    const encrypt = rawEncrypt(pad(frame('hello', APP_ID, 5 + APP_ID.length + 1)));
    expect(codeOf(() => decryptMessage(encrypt, { keys: [KEY], appId: APP_ID }))).toBe('bad_length');
  });

  it('rejects a huge length field', () => {
    const encrypt = rawEncrypt(pad(frame('hello', APP_ID, 0xffffffff)));
    expect(codeOf(() => decryptMessage(encrypt, { keys: [KEY], appId: APP_ID }))).toBe('bad_length');
  });

  it('reads a shortened length field as a longer AppID and rejects it', () => {
    const encrypt = rawEncrypt(pad(frame('hello', APP_ID, 4)));
    expect(codeOf(() => decryptMessage(encrypt, { keys: [KEY], appId: APP_ID }))).toBe('appid_mismatch');
  });

  it('rejects a plaintext too short for its header', () => {
    const encrypt = rawEncrypt(pad(Buffer.alloc(10, 1)));
    expect(codeOf(() => decryptMessage(encrypt, { keys: [KEY], appId: APP_ID }))).toBe('bad_length');
  });

  it('rejects a padding value of 0', () => {
    const plain = frame('hello', APP_ID);
    const padded = Buffer.concat([plain, Buffer.alloc(32 - (plain.length % 32), 0)]);
    expect(codeOf(() => decryptMessage(rawEncrypt(padded), { keys: [KEY], appId: APP_ID }))).toBe('bad_padding');
  });

  it('rejects a padding value above 32', () => {
    const plain = frame('hello', APP_ID);
    const n = 32 - (plain.length % 32);
    const padded = Buffer.concat([plain, Buffer.alloc(n, 33)]);
    expect(codeOf(() => decryptMessage(rawEncrypt(padded), { keys: [KEY], appId: APP_ID }))).toBe('bad_padding');
  });

  it('rejects padding bytes that are not all equal', () => {
    const padded = pad(frame('hello', APP_ID));
    const n = padded[padded.length - 1] ?? 0;
    expect(n).toBeGreaterThan(1);
    padded[padded.length - n] = n - 1;
    expect(codeOf(() => decryptMessage(rawEncrypt(padded), { keys: [KEY], appId: APP_ID }))).toBe('bad_padding');
  });

  it('rejects a tampered ciphertext', () => {
    const bytes = Buffer.from(encryptMessage('hello', { key: KEY, appId: APP_ID }), 'base64');
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0x01;
    expect(codeOf(() => decryptMessage(bytes.toString('base64'), { keys: [KEY], appId: APP_ID }))).toMatch(
      /^(bad_padding|bad_length|appid_mismatch)$/,
    );
  });

  it('rejects a ciphertext whose length is not a multiple of 16', () => {
    const encrypt = Buffer.alloc(40, 1).toString('base64');
    expect(codeOf(() => decryptMessage(encrypt, { keys: [KEY], appId: APP_ID }))).toBe('bad_block_length');
    expect(codeOf(() => decryptMessage('', { keys: [KEY], appId: APP_ID }))).toBe('bad_block_length');
  });

  it('rejects text that is not base64', () => {
    for (const bad of ['not base64!', 'abc', 'ab=c', 'YWJj\nZA==']) {
      expect(codeOf(() => decryptMessage(bad, { keys: [KEY], appId: APP_ID }))).toBe('bad_base64');
    }
  });

  it('rejects a message that is not valid UTF-8', () => {
    const body = Buffer.from([0xc3, 0x28]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(body.length, 0);
    const plain = Buffer.concat([Buffer.alloc(16), length, body, Buffer.from(APP_ID)]);
    expect(codeOf(() => decryptMessage(rawEncrypt(pad(plain)), { keys: [KEY], appId: APP_ID }))).toBe('bad_utf8');
  });

  it('never puts the key or the plaintext in the error message', () => {
    const secretText = 'very secret plaintext';
    const encrypt = encryptMessage(secretText, { key: KEY, appId: 'wxffffffffffffffff' });
    try {
      decryptMessage(encrypt, { keys: [KEY], appId: APP_ID });
      expect.unreachable();
    } catch (error) {
      const text = `${String(error)} ${JSON.stringify(error)}`;
      expect(text).not.toContain(secretText);
      expect(text).not.toContain(KEY);
      expect(text).not.toContain('wxffffffffffffffff');
    }
  });
});

describe('decodeAesKey', () => {
  it('decodes a 43-character EncodingAESKey to 32 bytes', () => {
    expect(decodeAesKey(KEY)).toHaveLength(32);
  });

  it('rejects keys of the wrong length or alphabet', () => {
    for (const bad of ['', KEY.slice(1), `${KEY}=`, `${KEY}A`, `${KEY.slice(0, 42)}!`]) {
      expect(codeOf(() => decodeAesKey(bad))).toBe('bad_aes_key');
    }
  });

  it('rejects an empty key list', () => {
    expect(codeOf(() => decryptMessage(oa.encrypt, { keys: [], appId: oa.appId }))).toBe('bad_aes_key');
  });

  it('rejects a random prefix that is not 16 bytes', () => {
    expect(codeOf(() => encryptMessage('x', { key: KEY, appId: APP_ID, random: Buffer.alloc(15) }))).toBe('bad_random');
  });
});

describe('decryptMessage on text that may not be base64', () => {
  // The reference: canonical base64, as WeChat's own libraries check it.
  const STRICT = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
  const codeOf = (text: string) => {
    try {
      decryptMessage(text, { keys: ['kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR'], appId: 'wx0000000000000000' });
      return 'decrypted';
    } catch (error) {
      return (error as { code?: string }).code;
    }
  };

  it('refuses as bad_base64 exactly what is not canonical base64 (URL-safe alphabet, stray =, spaces)', () => {
    const char = fc.constantFrom(...'ABCxyz019+/=-_ \n.'.split(''));
    fc.assert(
      fc.property(
        fc.array(char, { maxLength: 40 }).map((chars) => chars.join('')),
        (text) => (codeOf(text) === 'bad_base64') === !STRICT.test(text),
      ),
      { numRuns: 20_000 },
    );
  });
});

describe('decryptCbc', () => {
  const encodingAesKey = fc.stringMatching(/^[A-Za-z0-9]{43}$/);
  const nodeCbc = (ciphertext: Buffer, encodingKey: string) => {
    const key = decodeAesKey(encodingKey);
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    decipher.setAutoPadding(false);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  };

  it("decrypts as Node's aes-256-cbc does, for any key and run of whole blocks, aligned or not", () => {
    fc.assert(
      fc.property(
        encodingAesKey,
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 3 }),
        fc.uint8Array({ minLength: 16 * 40, maxLength: 16 * 40 }),
        (key, blocks, offset, bytes) => {
          // An offset into a larger buffer, as a base64 decode out of Node's pool may give.
          const ciphertext = Buffer.from(bytes).subarray(offset, offset + 16 * blocks);
          if (ciphertext.length !== 16 * blocks) return;
          expect(decryptCbc(ciphertext, key).equals(nodeCbc(ciphertext, key))).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('keeps each key to its own decipher across interleaved calls', () => {
    const one = Buffer.alloc(64, 1);
    const two = Buffer.alloc(48, 2);
    for (let round = 0; round < 3; round++) {
      expect(decryptCbc(one, KEY).equals(nodeCbc(one, KEY))).toBe(true);
      expect(decryptCbc(two, PREVIOUS_KEY).equals(nodeCbc(two, PREVIOUS_KEY))).toBe(true);
    }
  });

  it('refuses what is not whole blocks, and decrypts correctly afterwards', () => {
    for (const length of [0, 15, 17, 33]) {
      expect(() => decryptCbc(Buffer.alloc(length, 5), KEY)).toThrow(CallbackCryptoError);
    }
    const ciphertext = Buffer.alloc(32, 9);
    expect(decryptCbc(ciphertext, KEY).equals(nodeCbc(ciphertext, KEY))).toBe(true);
  });
});
