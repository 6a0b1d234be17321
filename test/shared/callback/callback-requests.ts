import type {
  CallbackHandlerDeps,
  CallbackLog,
  CallbackRequest,
  CallbackResponse,
} from '../../../shared/callback/handle-callback';
import { createMemoryStore } from '../../../shared/store/memory-store';
import type { ApiHandler } from '../../../shared/http/api-gateway';
import { encryptMessage } from '../../../shared/wechat/callback-crypto';
import { sha1Signature } from '../../../shared/wechat/signature';

/** Test-only helpers that sign (and encrypt) callback requests the way WeChat does. */

export const TOKEN = 'cb-token-current-7Qw';
export const PREVIOUS_TOKEN = 'cb-token-previous-3Zk';
export const AES_KEY = 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR';
export const PREVIOUS_AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
export const APP_ID = 'wx0123456789abcdef';
export const NOW_MS = 1_700_000_000_000;
export const TIMESTAMP = String(NOW_MS / 1000);

export interface SignOptions {
  token?: string;
  timestamp?: string;
  nonce?: string;
}

// A fresh nonce per request unless a test asks for one: the callback ignores a signed query
// it has already processed (its replay cache), which would make repeated requests vacuous.
let nonceSeq = 1_320_562_132;

export function signedQuery(options: SignOptions = {}): Record<string, string> {
  const token = options.token ?? TOKEN;
  const timestamp = options.timestamp ?? TIMESTAMP;
  const nonce = options.nonce ?? String(nonceSeq++);
  return { signature: sha1Signature([token, timestamp, nonce]), timestamp, nonce };
}

export function urlVerification(options: SignOptions = {}, echostr = '5837397520665436492'): CallbackRequest {
  return { method: 'GET', query: { ...signedQuery(options), echostr }, body: '' };
}

export function plainPush(xml: string, options: SignOptions = {}): CallbackRequest {
  return { method: 'POST', query: signedQuery(options), body: xml };
}

export interface SafeOptions extends SignOptions {
  aesKey?: string;
  appId?: string;
  /** Plaintext fields sent beside Encrypt, as in compatible mode (兼容模式). */
  compatFields?: string;
}

export function envelope(encrypt: string, compatFields = ''): string {
  return (
    `<xml><ToUserName><![CDATA[gh_4d00ed8d6399]]></ToUserName>${compatFields}` +
    `<Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`
  );
}

export function safePush(xml: string, options: SafeOptions = {}): CallbackRequest {
  const encrypt = encryptMessage(xml, { key: options.aesKey ?? AES_KEY, appId: options.appId ?? APP_ID });
  return signedEncrypt(encrypt, options);
}

/** Signs an arbitrary Encrypt text (already tampered with, perhaps) into a safe-mode request. */
export function signedEncrypt(encrypt: string, options: SafeOptions = {}): CallbackRequest {
  const query = signedQuery(options);
  const msgSignature = sha1Signature([options.token ?? TOKEN, query.timestamp ?? '', query.nonce ?? '', encrypt]);
  return {
    method: 'POST',
    query: { ...query, encrypt_type: 'aes', msg_signature: msgSignature },
    body: envelope(encrypt, options.compatFields),
  };
}

/**
 * createCallbackHandler answers API Gateway requests like every route; the protocol tests speak
 * in WeChat's terms (method, query, body), which this turns into such a request.
 */
export function driveCallback(handler: ApiHandler): (req: CallbackRequest) => Promise<CallbackResponse> {
  return async (req) => {
    const query = Object.fromEntries(
      Object.entries(req.query).filter((entry): entry is [string, string] => entry[1] !== undefined),
    );
    const result = await handler({
      method: req.method,
      path: '/callback',
      headers: {},
      query,
      rawBody: Buffer.from(req.body, 'utf8'),
      requestId: 'callback-test',
    });
    return result as CallbackResponse;
  };
}

export interface CapturedLog extends CallbackLog {
  lines: string[];
}

export function captureLog(): CapturedLog {
  const lines: string[] = [];
  const write = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    lines.push(JSON.stringify({ level, message, ...fields }));
  };
  return { lines, info: write('info'), warn: write('warn'), error: write('error') };
}

/** A callback handler's dependencies for one account in safe mode at NOW_MS; override what a test is about. */
export function callbackDeps(overrides: Partial<CallbackHandlerDeps> = {}): CallbackHandlerDeps {
  return {
    appId: APP_ID,
    tokens: [TOKEN],
    aesKeys: [AES_KEY],
    windowSeconds: 300,
    maxBodyBytes: 16 * 1024,
    now: () => NOW_MS,
    store: createMemoryStore(() => NOW_MS),
    log: captureLog(),
    ...overrides,
  };
}
