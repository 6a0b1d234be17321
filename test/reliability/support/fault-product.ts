import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocal, type Local } from '../../../local/start';
import { DEMO_ACCOUNTS } from '../../../sandbox/server';
import type { MassMessage } from '../../../sandbox/state';
import { sendRecordKey } from '../../../shared/api/idempotency';
import { distDir } from '../../support/dist';
import { createFileStore } from '../../../shared/store/file-store';
import type { LogCollector } from './secrets';
import { startTokenRecorder, type TokenRecorder } from './token-recorder';

/**
 * The product as `npm start` runs it (every built bundle in its own process behind the local
 * gateway, the WeChat sandbox) with the knobs the fault scenarios need: a short WeChat timeout,
 * jobs that stay SENDING until a test finishes them, the sandbox's own limits off (the faults
 * stand in for them), and every access token noted on the way to the sandbox.
 */
export interface FaultProduct {
  local: Local;
  appId: string;
  dataDir: string;
  recorder: TokenRecorder;
  /** Everything a secret could leak into besides the logs: the API's answers. */
  answers: string[];
  call(method: string, path: string, body?: unknown): Promise<Answer>;
  /** The sends WeChat accepted with this clientmsgid. */
  messagesFor(clientMsgId: string): MassMessage[];
  /** WeChat's clock moves on (e.g. past the 60 s clientmsgid retry window). */
  advanceClock(ms: number): void;
  /** As if the `pending` marker's TTL ran out (the store's own expiry, without waiting 5 minutes). */
  expireSendMarker(clientMsgId: string): Promise<void>;
  secrets(): Record<string, string>;
  close(): Promise<void>;
}

export interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

// MASSSENDJOBFINISH carries the job's CreateTime as the push timestamp, which the callback
// accepts within 300 s of its own clock: WeChat's clock may run ahead of ours by less.
const MAX_CLOCK_ADVANCE_MS = 240_000;

export async function startFaultProduct(options: {
  logs: LogCollector;
  storeUrl?: string;
  wechatTimeoutMs: number;
}): Promise<FaultProduct> {
  const dataDir = await mkdtemp(join(tmpdir(), 'reliability-'));
  const local = await startLocal({
    port: 0,
    sandboxPort: 0,
    distDir: distDir(),
    dataDir,
    storeUrl: options.storeUrl,
    account: 'service',
    callbackMode: 'safe',
    jobDurationMs: 600_000,
    timers: false,
    log: options.logs.sink,
  });
  const recorder = await startTokenRecorder(local.sandbox.url);
  // `env` is the very object every container is forked with, and no container has started
  // yet (timers are off): the functions see these values from their cold start on.
  local.env.WECHAT_API_BASE_URL = recorder.url;
  local.env.WECHAT_TIMEOUT_MS = String(options.wechatTimeoutMs);
  local.sandbox.setLimits({ perMinute: false, daily: false, monthly: false });

  const account = DEMO_ACCOUNTS.service;
  const answers: string[] = [];
  let advanced = 0;

  return {
    local,
    appId: account.appid,
    dataDir,
    recorder,
    answers,
    async call(method, path, body) {
      const res = await fetch(`${local.gateway.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${local.apiKey}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      answers.push(text);
      return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
    },
    messagesFor: (clientMsgId) => local.sandbox.messages().filter((m) => m.clientMsgId === clientMsgId),
    advanceClock(ms) {
      advanced += ms;
      if (advanced > MAX_CLOCK_ADVANCE_MS)
        throw new Error(`the sandbox clock would run ${advanced} ms ahead: pushes would look stale`);
      local.sandbox.advanceClock(ms);
    },
    async expireSendMarker(clientMsgId) {
      const url = local.env.STORE_URL ?? '';
      if (!url.startsWith('file:')) throw new Error('expireSendMarker works on the file store only');
      const store = createFileStore(url.slice('file:'.length));
      await store.delete(sendRecordKey(account.appid, clientMsgId));
    },
    secrets() {
      return {
        AppSecret: account.secret,
        'callback Token': local.env.WECHAT_TOKEN ?? '',
        EncodingAESKey: local.env.WECHAT_ENCODING_AES_KEY ?? '',
        'API key': local.apiKey,
        ...storePasswords(local.env.STORE_URL ?? ''),
      };
    },
    async close() {
      await local.close();
      await recorder.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A Redis STORE_URL's password, decoded and as the URL spells it (percent-encoded). */
function storePasswords(url: string): Record<string, string> {
  if (!/^rediss?:/.test(url)) return {};
  const { password } = new URL(url);
  if (password === '') return {};
  return { 'Redis password': decodeURIComponent(password), 'Redis password (encoded)': password };
}
