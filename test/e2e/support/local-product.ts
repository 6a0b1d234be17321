import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { distDir } from '../../support/dist';
import { startLocal, type Local, type LocalOptions } from '../../../local/start';
import { DEMO_ACCOUNTS } from '../../../sandbox/server';
import type { StatusAnswer } from './answers';

/**
 * The whole product on loopback for one test file: the WeChat sandbox plus every built bundle
 * behind the local gateway, a file store in a temporary directory, and every log line kept so
 * a file can check what was written.
 */
export interface LocalProduct {
  local: Local;
  /** Every line the sandbox, the gateway and the function containers logged. */
  lines: string[];
  call<T = Record<string, unknown>>(method: string, path: string, options?: CallOptions): Promise<ApiAnswer<T>>;
  /**
   * Back to the sandbox's seed, after noting the access token it had issued (see `secrets`),
   * and every function container recycled.
   */
  resetSandbox(): Promise<void>;
  /**
   * Every secret of this run by name: the AppSecret, the callback Token, the EncodingAESKey,
   * the API key, and each access token the sandbox issued to the account.
   */
  secrets(): Promise<Record<string, string>>;
  close(): Promise<void>;
}

export interface CallOptions {
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as is, instead of `body`. */
  bytes?: { data: Uint8Array; contentType: string };
  /** The API key to present; null sends no Authorization header. Default: the local key. */
  apiKey?: string | null;
  headers?: Record<string, string>;
}

export interface ApiAnswer<T> {
  status: number;
  headers: Headers;
  body: T;
}

export async function startLocalProduct(
  options: Omit<LocalOptions, 'dataDir' | 'log' | 'port' | 'sandboxPort'> = {},
): Promise<LocalProduct> {
  const dataDir = await mkdtemp(join(tmpdir(), 'e2e-'));
  const lines: string[] = [];
  let local: Local;
  try {
    local = await startLocal({
      jobDurationMs: 200,
      timers: false,
      ...options,
      port: 0,
      sandboxPort: 0,
      distDir: distDir(),
      dataDir,
      log: (line) => lines.push(line),
    });
  } catch (err) {
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }

  async function call<T>(
    method: string,
    path: string,
    { body, bytes, apiKey, headers: extra = {} }: CallOptions = {},
  ): Promise<ApiAnswer<T>> {
    const key = apiKey === undefined ? local.apiKey : apiKey;
    const headers: Record<string, string> = { ...extra };
    if (key !== null) headers.authorization = `Bearer ${key}`;
    let payload: string | Uint8Array | undefined;
    if (bytes) {
      headers['content-type'] = bytes.contentType;
      payload = bytes.data;
    } else if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const res = await fetch(`${local.gateway.url}${path}`, {
      method,
      headers,
      ...(payload === undefined ? {} : { body: payload }),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as T };
  }

  const account = DEMO_ACCOUNTS[options.account ?? 'service'];
  const issuedTokens = new Set<string>();

  // stable_token hands every caller the token that is valid now, so this is the one the
  // product's functions were given (or will be: it is shared until it expires).
  async function noteIssuedToken(): Promise<void> {
    const res = await fetch(`${local.sandbox.url}/cgi-bin/stable_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credential', appid: account.appid, secret: account.secret }),
    });
    const { access_token } = (await res.json()) as { access_token?: string };
    if (!access_token) throw new Error('the sandbox issued no access token');
    issuedTokens.add(access_token);
  }

  return {
    local,
    lines,
    call,
    async resetSandbox() {
      await noteIssuedToken();
      local.sandbox.reset();
      // The reset revokes every token at once, which WeChat never does. A warm container could
      // then hold one dead token in memory while another container has stored a different dead
      // one, and the product's single retry after a token error cannot get past both. SCF may
      // recycle containers at any time, so starting them cold is fair: the stored token gets
      // rejected once, refreshed, and the call retried.
      await Promise.all([...local.gateway.containers.values()].map((container) => container.stop()));
    },
    async secrets() {
      await noteIssuedToken();
      const named: Record<string, string> = {
        AppSecret: account.secret,
        'callback Token': local.env.WECHAT_TOKEN ?? '',
        'API key': local.apiKey,
      };
      if (local.env.WECHAT_ENCODING_AES_KEY) named.EncodingAESKey = local.env.WECHAT_ENCODING_AES_KEY;
      for (const [i, token] of [...issuedTokens].entries()) named[`access token #${i + 1}`] = token;
      return named;
    },
    async close() {
      await local.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls until `check` gives a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 5_000,
  what = 'the condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The names of the secrets that appear in any of the lines. */
export function leakedSecrets(lines: readonly string[], secrets: Record<string, string>): string[] {
  const text = lines.join('\n');
  return Object.entries(secrets)
    .filter(([, value]) => value.length > 0 && text.includes(value))
    .map(([name]) => name);
}

/**
 * Finishes the sandbox's jobs now, waits for their pushes, then reads /status until the
 * callback's report for `msgId` shows up (the push and the status read race otherwise).
 */
export async function finishAndReadStatus(product: LocalProduct, msgId: string): Promise<StatusAnswer> {
  product.local.sandbox.finishJobs();
  await product.local.sandbox.waitForPushes();
  return eventually(
    async () => {
      const answer = await product.call<StatusAnswer>('GET', `/status?msgId=${msgId}`);
      if (answer.status !== 200)
        throw new Error(`GET /status answered ${answer.status}: ${JSON.stringify(answer.body)}`);
      return answer.body.report ? answer.body : undefined;
    },
    3_000,
    `the report of ${msgId}`,
  );
}

/**
 * After `resetSandbox`, the first WeChat call meets the revoked token (40001), refreshes and
 * retries. A fault injected for the next call would be spent on that rejected attempt, so
 * tests that inject one first let a harmless call (GET /speed) store a token WeChat accepts.
 */
export async function withAcceptedToken(product: LocalProduct): Promise<void> {
  const answer = await product.call('GET', '/speed');
  if (answer.status !== 200) throw new Error(`GET /speed answered ${answer.status}: ${JSON.stringify(answer.body)}`);
}
