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

const IV_BYTES = 16;
// The ciphertext of the push being decrypted, after one block of room for the IV (see
// decryptInPlace). Kept for the container and grown when a push needs more, so a push decodes
// its base64 without allocating a buffer. It only ever holds ciphertext and the key's IV.
let scratch = Buffer.allocUnsafeSlow(2_048);

function scratchFor(ciphertextBytes: number): Buffer {
  if (scratch.length < IV_BYTES + ciphertextBytes) {
    scratch = Buffer.allocUnsafeSlow(Math.max(IV_BYTES + ciphertextBytes, 2 * scratch.length));
  }
  return scratch;
}

type CbcDecipher = ReturnType<typeof createDecipheriv>;
const deciphers = new Map<string, CbcDecipher>();

/**
 * AES-256-CBC decryption of the `length` bytes of ciphertext in `scratch` from IV_BYTES on,
 * with the key's first 16 bytes as IV, as WeChat encrypts. The result holds IV_BYTES of filler,
 * then the plaintext.
 *
 * One `aes-256-cbc` decipher per key is kept for the container's life: building one per push
 * ran the key schedule and built a cipher object every time, about half of the decryption's
 * cost. A kept decipher chains from the last ciphertext block it saw, so the IV goes in first as
 * a block of ciphertext of its own (CBC, NIST SP 800-38A 6.2: each plaintext block is the
 * decryption of its ciphertext block XORed with the ciphertext block before it). Its own output
 * block is the filler; every block after it decrypts as with a fresh decipher. Without padding
 * a decipher holds nothing back when given whole blocks, which the caller checks.
 */
function decryptScratch(length: number, encodingAesKey: string): Buffer {
  if (length === 0 || length % 16 !== 0) throw new CallbackCryptoError('bad_block_length');
  const key = decodeAesKey(encodingAesKey);
  let cbc = deciphers.get(encodingAesKey);
  if (!cbc) {
    cbc = createDecipheriv('aes-256-cbc', key, key.subarray(0, IV_BYTES));
    cbc.setAutoPadding(false);
    if (deciphers.size < 16) deciphers.set(encodingAesKey, cbc);
  }
  for (let i = 0; i < IV_BYTES; i += 1) scratch[i] = key[i] as number;
  let out: Buffer | undefined;
  try {
    out = cbc.update(scratch.subarray(0, IV_BYTES + length));
  } finally {
    // Whole blocks in, whole blocks out: a decipher that did otherwise is not used again.
    if (out?.length !== IV_BYTES + length) deciphers.delete(encodingAesKey);
  }
  if (out.length !== IV_BYTES + length) throw new CallbackCryptoError('bad_block_length');
  return out;
}

/** AES-256-CBC decryption of `ciphertext` as WeChat encrypts (IV: the key's first 16 bytes). */
export function decryptCbc(ciphertext: Buffer, encodingAesKey: string): Buffer {
  ciphertext.copy(scratchFor(ciphertext.length), IV_BYTES);
  return decryptScratch(ciphertext.length, encodingAesKey).subarray(IV_BYTES);
}

/**
 * Canonical base64 (whole 4-character groups, '=' only as the last one or two) decoded into
 * `scratch` after the IV's room: its length in bytes, or undefined. Node's decoder skips
 * characters outside the alphabet and stops at '=', so any such character leaves fewer bytes
 * than the length promises; it also takes the URL-safe '-' and '_', refused apart. As strict as
 * /^(?:[A-Za-z0-9+/]{4})*(?:…==|…=)?$/ without a regex pass over the whole text on every push.
 */
function decodeBase64IntoScratch(text: string): number | undefined {
  if (text.length % 4 !== 0 || text.includes('-') || text.includes('_')) return undefined;
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const expected = (text.length / 4) * 3 - padding;
  // Room for everything the decoder could write, so that it never stops for lack of it.
  const written = scratchFor((text.length / 4) * 3).write(text, IV_BYTES, 'base64');
  return written === expected ? written : undefined;
}

function decryptWithKey(length: number, encodingAesKey: string, appId: string): string {
  const out = decryptScratch(length, encodingAesKey);
  const end = out.length;

  const padLength = out[end - 1] ?? 0;
  if (padLength < 1 || padLength > BLOCK || padLength > length) {
    throw new CallbackCryptoError('bad_padding');
  }
  for (let i = end - padLength; i < end; i += 1) {
    if (out[i] !== padLength) throw new CallbackCryptoError('bad_padding');
  }
  const plainEnd = end - padLength;

  const messageStart = IV_BYTES + HEADER_BYTES;
  if (plainEnd < messageStart) throw new CallbackCryptoError('bad_length');
  const messageLength = out.readUInt32BE(IV_BYTES + RANDOM_BYTES);
  if (messageLength > plainEnd - messageStart) throw new CallbackCryptoError('bad_length');
  const messageEnd = messageStart + messageLength;

  // Byte by byte in place (the AppID is no secret): Buffer#compare is a call into C++ per push.
  const ours = appIdBytes(appId);
  if (plainEnd - messageEnd !== ours.length) throw new CallbackCryptoError('appid_mismatch');
  for (let i = 0; i < ours.length; i += 1) {
    if (out[messageEnd + i] !== ours[i]) throw new CallbackCryptoError('appid_mismatch');
  }
  try {
    return utf8.decode(out.subarray(messageStart, messageEnd));
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
  const length = decodeBase64IntoScratch(encryptBase64);
  if (length === undefined) throw new CallbackCryptoError('bad_base64');
  if (length === 0 || length % 16 !== 0) throw new CallbackCryptoError('bad_block_length');
  let firstError: unknown;
  for (const key of options.keys) {
    try {
      return decryptWithKey(length, key, options.appId);
    } catch (error) {
      firstError ??= error;
    }
  }
  throw firstError;
}
