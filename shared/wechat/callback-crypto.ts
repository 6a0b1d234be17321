import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * WXBizMsgCrypt-compatible message encryption ("safe mode", 安全模式):
 * AES-256-CBC, key = base64(EncodingAESKey + "="), IV = the key's first 16 bytes,
 * PKCS#7 padding to 32-byte blocks (not AES's 16), and the plaintext
 * 16 random bytes | 4-byte big-endian length | message | AppID.
 */

export type CallbackCryptoErrorCode =
  | 'bad_aes_key'
  | 'bad_random'
  | 'bad_base64'
  | 'bad_block_length'
  | 'bad_padding'
  | 'bad_length'
  | 'bad_utf8'
  | 'appid_mismatch';

const MESSAGES: Record<CallbackCryptoErrorCode, string> = {
  bad_aes_key: 'EncodingAESKey must be 43 base64 characters decoding to 32 bytes',
  bad_random: 'the random prefix must be 16 bytes',
  bad_base64: 'Encrypt is not valid base64',
  bad_block_length: 'ciphertext length is not a positive multiple of the AES block size',
  bad_padding: 'bad PKCS#7 padding',
  bad_length: 'message length field out of bounds',
  bad_utf8: 'message is not valid UTF-8',
  appid_mismatch: 'AppID in the message does not match ours',
};

/** One error type for every crypto failure; its message never carries plaintext or keys. */
export class CallbackCryptoError extends Error {
  override readonly name = 'CallbackCryptoError';
  constructor(
    readonly code: CallbackCryptoErrorCode,
    options?: { cause?: unknown },
  ) {
    super(MESSAGES[code], options);
  }
}

export function isCallbackCryptoError(error: unknown): error is CallbackCryptoError {
  return error instanceof CallbackCryptoError;
}

const BLOCK = 32;
const RANDOM_BYTES = 16;
const HEADER_BYTES = RANDOM_BYTES + 4;
// WeChat generates EncodingAESKey from [a-zA-Z0-9]; accept the full base64 alphabet anyway.
const ENCODING_AES_KEY = /^[A-Za-z0-9+/]{43}$/;
/**
 * Canonical base64 (whole 4-character groups, '=' only as the last one or two) decoded, or
 * undefined. Node's decoder skips characters outside the alphabet and stops at '=', so any
 * such character leaves fewer bytes than the length promises; it also takes the URL-safe '-'
 * and '_', refused apart. As strict as /^(?:[A-Za-z0-9+/]{4})*(?:…==|…=)?$/ without a regex
 * pass over the whole text on every push.
 */
function decodeBase64(text: string): Buffer | undefined {
  if (text.length % 4 !== 0 || text.includes('-') || text.includes('_')) return undefined;
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const bytes = Buffer.from(text, 'base64');
  return bytes.length === (text.length / 4) * 3 - padding ? bytes : undefined;
}

// The configured keys are decoded once per container, not once per push.
const decodedKeys = new Map<string, Buffer>();

/** Decodes and validates an EncodingAESKey into the 32-byte AES key. */
export function decodeAesKey(encodingAesKey: string): Buffer {
  const known = decodedKeys.get(encodingAesKey);
  if (known) return known;
  if (!ENCODING_AES_KEY.test(encodingAesKey)) throw new CallbackCryptoError('bad_aes_key');
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  if (key.length !== 32) throw new CallbackCryptoError('bad_aes_key');
  if (decodedKeys.size < 16) decodedKeys.set(encodingAesKey, key);
  return key;
}

export interface EncryptOptions {
  /** The EncodingAESKey (43 characters). */
  key: string;
  appId: string;
  /** 16 bytes; random when absent. Fixed only to reproduce published vectors. */
  random?: Uint8Array;
}

export function encryptMessage(message: string, options: EncryptOptions): string {
  const key = decodeAesKey(options.key);
  const random = options.random ? Buffer.from(options.random) : randomBytes(RANDOM_BYTES);
  if (random.length !== RANDOM_BYTES) throw new CallbackCryptoError('bad_random');
  const body = Buffer.from(message, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length, 0);
  const plain = Buffer.concat([random, length, body, Buffer.from(options.appId, 'utf8')]);
  const padLength = BLOCK - (plain.length % BLOCK);
  const padded = Buffer.concat([plain, Buffer.alloc(padLength, padLength)]);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(padded), cipher.final()]).toString('base64');
}

export interface DecryptOptions {
  /** EncodingAESKeys, current first, then the previous one during a rotation. */
  keys: readonly string[];
  appId: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

let lastAppId: { text: string; bytes: Buffer } | undefined;
function appIdBytes(appId: string): Buffer {
  if (lastAppId?.text !== appId) lastAppId = { text: appId, bytes: Buffer.from(appId, 'utf8') };
  return lastAppId.bytes;
}

type BlockDecipher = ReturnType<typeof createDecipheriv>;
const blockDeciphers = new Map<string, BlockDecipher>();

/**
 * AES-256-CBC decryption with the key's first 16 bytes as IV, as WeChat encrypts, by CBC's
 * definition (NIST SP 800-38A, 6.2): each plaintext block is the AES decryption of its ciphertext
 * block XORed with the ciphertext block before it (the IV for the first). The block decryptions
 * come from one AES-256-ECB decipher per key, kept for the container's life: building an
 * `aes-256-cbc` decipher per push ran the key schedule and built a cipher object every time,
 * about half of the decryption's cost. Without padding, ECB holds nothing back between calls
 * when given whole blocks, which decryptMessage checks before calling this. A test holds the
 * result to Node's own aes-256-cbc for any key and ciphertext.
 */
export function decryptCbc(ciphertext: Buffer, encodingAesKey: string): Buffer {
  if (ciphertext.length === 0 || ciphertext.length % 16 !== 0) throw new CallbackCryptoError('bad_block_length');
  const key = decodeAesKey(encodingAesKey);
  let ecb = blockDeciphers.get(encodingAesKey);
  if (!ecb) {
    ecb = createDecipheriv('aes-256-ecb', key, null);
    ecb.setAutoPadding(false);
    if (blockDeciphers.size < 16) blockDeciphers.set(encodingAesKey, ecb);
  }
  let plain: Buffer | undefined;
  try {
    plain = ecb.update(ciphertext);
  } finally {
    // Whole blocks in, whole blocks out: a decipher that did otherwise is not used again.
    if (plain?.length !== ciphertext.length) blockDeciphers.delete(encodingAesKey);
  }
  if (plain.length !== ciphertext.length) throw new CallbackCryptoError('bad_block_length');
  xorPreviousBlocks(plain, ciphertext, key);
  return plain;
}

/** plain[i] ^= (i < 16 ? iv[i] : ciphertext[i - 16]), four bytes at a time when aligned. */
function xorPreviousBlocks(plain: Buffer, ciphertext: Buffer, iv: Buffer): void {
  for (let i = 0; i < 16; i += 1) plain[i] = (plain[i] as number) ^ (iv[i] as number);
  if (plain.byteOffset % 4 === 0 && ciphertext.byteOffset % 4 === 0) {
    const words = new Int32Array(plain.buffer, plain.byteOffset, plain.length >> 2);
    const previous = new Int32Array(ciphertext.buffer, ciphertext.byteOffset, ciphertext.length >> 2);
    for (let i = 4; i < words.length; i += 1) words[i] = (words[i] as number) ^ (previous[i - 4] as number);
    return;
  }
  for (let i = 16; i < plain.length; i += 1) plain[i] = (plain[i] as number) ^ (ciphertext[i - 16] as number);
}

function decryptWithKey(ciphertext: Buffer, encodingAesKey: string, appId: string): string {
  const padded = decryptCbc(ciphertext, encodingAesKey);

  const padLength = padded[padded.length - 1] ?? 0;
  if (padLength < 1 || padLength > BLOCK || padLength > padded.length) {
    throw new CallbackCryptoError('bad_padding');
  }
  for (let i = padded.length - padLength; i < padded.length; i += 1) {
    if (padded[i] !== padLength) throw new CallbackCryptoError('bad_padding');
  }
  const plain = padded.subarray(0, padded.length - padLength);

  if (plain.length < HEADER_BYTES) throw new CallbackCryptoError('bad_length');
  const messageLength = plain.readUInt32BE(RANDOM_BYTES);
  if (messageLength > plain.length - HEADER_BYTES) throw new CallbackCryptoError('bad_length');
  const messageEnd = HEADER_BYTES + messageLength;

  if (!plain.subarray(messageEnd).equals(appIdBytes(appId))) {
    throw new CallbackCryptoError('appid_mismatch');
  }
  try {
    return utf8.decode(plain.subarray(HEADER_BYTES, messageEnd));
  } catch {
    throw new CallbackCryptoError('bad_utf8');
  }
}

/**
 * Decrypts the `Encrypt` text of a safe-mode callback. Each key is tried in order; when none
 * yields a well-formed message the current key's failure is reported.
 */
export function decryptMessage(encryptBase64: string, options: DecryptOptions): string {
  if (options.keys.length === 0) throw new CallbackCryptoError('bad_aes_key');
  const ciphertext = decodeBase64(encryptBase64);
  if (!ciphertext) throw new CallbackCryptoError('bad_base64');
  if (ciphertext.length === 0 || ciphertext.length % 16 !== 0) {
    throw new CallbackCryptoError('bad_block_length');
  }
  let firstError: unknown;
  for (const key of options.keys) {
    try {
      return decryptWithKey(ciphertext, key, options.appId);
    } catch (error) {
      firstError ??= error;
    }
  }
  throw firstError;
}
