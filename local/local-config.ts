import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export interface LocalSecrets {
  apiKey: string;
  callbackToken: string;
  encodingAesKey: string;
}

/**
 * Generated once per checkout and kept in .local/ (ignored by git), so the printed API key
 * and the callback secrets stay the same across restarts.
 */
export function loadLocalSecrets(dir: string): LocalSecrets {
  const file = join(dir, 'secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as LocalSecrets;
  const secrets: LocalSecrets = {
    apiKey: `local-${randomBytes(18).toString('base64url')}`,
    callbackToken: randomBytes(16).toString('hex'),
    // WeChat's console generates 43 letters and digits (base64 of 32 bytes without "=").
    encodingAesKey: Array.from(randomBytes(43), (b) => ALPHANUMERIC[b % ALPHANUMERIC.length]).join(''),
  };
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}
