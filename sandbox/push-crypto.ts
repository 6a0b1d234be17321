import { createCipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * WeChat's callback signing and safe-mode encryption, written here independently of the
 * product's own code so a shared bug cannot hide:
 * - signature = sha1(sort([token, timestamp, nonce]).join(''))
 * - msg_signature = sha1(sort([token, timestamp, nonce, Encrypt]).join(''))
 * - AES-256-CBC, key = base64(EncodingAESKey + "="), IV = the key's first 16 bytes, PKCS#7
 *   padding to 32-byte blocks, plaintext = 16 random bytes + 4-byte big-endian XML length
 *   + XML + AppID.
 */
export function sha1Signature(parts: readonly string[]): string {
  return createHash('sha1')
    .update([...parts].sort().join(''))
    .digest('hex');
}

// An EncodingAESKey is 43 characters of [A-Za-z0-9] (base64 of 32 bytes, without "=").
export function isValidEncodingAesKey(key: string): boolean {
  return /^[A-Za-z0-9]{43}$/.test(key) && Buffer.from(`${key}=`, 'base64').length === 32;
}

const BLOCK_SIZE = 32;

export function encryptForCallback(xml: string, encodingAesKey: string, appid: string): string {
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  const message = Buffer.from(xml, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(message.length, 0);
  const plain = Buffer.concat([randomBytes(16), length, message, Buffer.from(appid, 'utf8')]);
  const padLength = BLOCK_SIZE - (plain.length % BLOCK_SIZE);
  const padded = Buffer.concat([plain, Buffer.alloc(padLength, padLength)]);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(padded), cipher.final()]).toString('base64');
}
