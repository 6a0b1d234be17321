import * as z from 'zod/mini';
import { isRedisUrl, parseRedisUrl, RedisUrlError } from './store/redis-url';
import { describeIssues } from './validation';
import { memoize } from './runtime/memoize';

/** Names every environment variable that is missing or malformed, and why. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: ReadonlyArray<{ variable: string; reason: string }>) {
    super(`invalid configuration: ${problems.map((p) => `${p.variable}: ${p.reason}`).join('; ')}`);
  }
}

function redisUrlProblem(url: string): string | undefined {
  if (!isRedisUrl(url)) return undefined;
  try {
    parseRedisUrl(url);
    return undefined;
  } catch (err) {
    return err instanceof RedisUrlError ? err.message : 'is not a valid Redis URL';
  }
}

const required = z.string().check(z.trim(), z.minLength(1, 'is required'));
const optionalText = z.optional(z.string().check(z.trim()));

const positiveInt = (fallback: number) =>
  z._default(
    z.pipe(
      z.string().check(z.regex(/^\d+$/, 'must be a whole number')),
      z.transform((text) => Number(text)),
    ),
    fallback,
  );

const csv = z.pipe(
  z.optional(z.string()),
  z.transform((text) =>
    (text ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  ),
);

// 43 base64 characters decode (with the "=" WeChat leaves off) to a 32-byte AES-256 key.
const encodingAesKey = z.optional(z.string().check(z.regex(/^[A-Za-z0-9+/]{43}$/, 'must be 43 base64 characters')));

// Each section's schemas are built once, when a function first reads that section (a cold start
// builds only its own: issue 13); configVariables and readConfig share them.
const sections = {
  wechat: memoize(() => ({
    WECHAT_APP_ID: required,
    WECHAT_APP_SECRET: required,
    WECHAT_API_BASE_URL: z._default(z.url(), 'https://api.weixin.qq.com'),
    WECHAT_TOKEN_ENDPOINT: z._default(z.enum(['stable', 'classic']), 'stable'),
    // Per WeChat call. A send that meets a rejected token can make six calls in a row (token,
    // forced token, send, and again after the rejection) after waiting up to 10 s for another
    // container's refresh: keep 6 × this + 10 s under the function's timeout in serverless.yml.
    WECHAT_TIMEOUT_MS: positiveInt(4_000),
    // Per upload to WeChat (multipart: permanent and temporary material, uploadimg). A 10 MB
    // video does not cross the internet in 4 s. The media function's timeout (60 s) leaves room
    // for a 10 s token wait, two token calls, a 10 s sourceUrl download and this.
    WECHAT_UPLOAD_TIMEOUT_MS: positiveInt(25_000),
    // WeChat's mass-send limits per account (45011, 45009), shared by every function through
    // the store. Lower them to keep room for sends made elsewhere (the web console); raise them
    // only against a WeChat that allows more (the sandbox with its limits off).
    MASS_SEND_PER_MINUTE: positiveInt(60),
    MASS_SEND_PER_DAY: positiveInt(100),
  })),
  store: memoize(() => ({
    // Checked here, so that a malformed Redis URL is `not_configured` naming STORE_URL, and
    // never printed: it holds the password.
    STORE_URL: z.string().check(
      z.regex(/^(memory:|file:.+|rediss?:\/\/.+)$/, 'must be memory:, file:<dir> or redis://…'),
      z.superRefine((url, ctx) => {
        const problem = redisUrlProblem(url);
        if (problem !== undefined) ctx.issues.push({ code: 'custom', message: problem, input: '' });
      }),
    ),
  })),
  // Handing a started job to the dispatcher through SCF's Invoke API. Without a function name
  // (or without the role's credentials, which SCF sets) the dispatcher's timer picks jobs up.
  dispatch: memoize(() => ({
    DISPATCHER_FUNCTION_NAME: optionalText,
    DISPATCHER_NAMESPACE: z._default(z.string(), 'default'),
    SCF_API_ENDPOINT: z._default(z.url(), 'https://scf.tencentcloudapi.com'),
    TENCENTCLOUD_REGION: optionalText,
    TENCENTCLOUD_SECRETID: optionalText,
    TENCENTCLOUD_SECRETKEY: optionalText,
    TENCENTCLOUD_SESSIONTOKEN: optionalText,
  })),
  api: memoize(() => ({
    API_KEYS: z.pipe(csv, z.array(z.string().check(z.minLength(16, 'each key must be at least 16 characters')))),
  })),
  callback: memoize(() => ({
    WECHAT_APP_ID: required,
    WECHAT_TOKEN: required,
    WECHAT_TOKEN_PREVIOUS: optionalText,
    WECHAT_ENCODING_AES_KEY: encodingAesKey,
    WECHAT_ENCODING_AES_KEY_PREVIOUS: encodingAesKey,
    // The account's 原始ID (gh_…), which WeChat sends as ToUserName: optional, checked when set.
    WECHAT_ORIGINAL_ID: z.optional(z.string().check(z.trim(), z.regex(/^gh_[0-9a-z]+$/i, 'must be gh_ and the id'))),
    CALLBACK_TIMESTAMP_WINDOW_SECONDS: positiveInt(300),
    CALLBACK_MAX_BODY_BYTES: positiveInt(64 * 1024),
    // Only while switching the account from plain to safe mode (see the README).
    CALLBACK_ACCEPT_PLAIN: z._default(z.enum(['true', 'false']), 'false'),
    NOTIFY_URL: z.optional(z.url()),
    NOTIFY_SECRET: optionalText,
  })),
};

type Sections = { [K in keyof typeof sections]: ReturnType<(typeof sections)[K]> };
type Raw<K extends keyof Sections> = z.infer<z.ZodMiniObject<Sections[K]>>;

const build = {
  wechat: (env: Raw<'wechat'>) => ({
    appId: env.WECHAT_APP_ID,
    appSecret: env.WECHAT_APP_SECRET,
    apiBaseUrl: env.WECHAT_API_BASE_URL,
    tokenEndpoint: env.WECHAT_TOKEN_ENDPOINT,
    timeoutMs: env.WECHAT_TIMEOUT_MS,
    uploadTimeoutMs: env.WECHAT_UPLOAD_TIMEOUT_MS,
    massSendPerMinute: env.MASS_SEND_PER_MINUTE,
    massSendPerDay: env.MASS_SEND_PER_DAY,
  }),
  store: (env: Raw<'store'>) => ({ url: env.STORE_URL }),
  dispatch: (env: Raw<'dispatch'>) => ({
    functionName: env.DISPATCHER_FUNCTION_NAME,
    namespace: env.DISPATCHER_NAMESPACE,
    endpoint: env.SCF_API_ENDPOINT,
    region: env.TENCENTCLOUD_REGION,
    secretId: env.TENCENTCLOUD_SECRETID,
    secretKey: env.TENCENTCLOUD_SECRETKEY,
    sessionToken: env.TENCENTCLOUD_SESSIONTOKEN,
  }),
  api: (env: Raw<'api'>) => ({ keys: env.API_KEYS }),
  callback: (env: Raw<'callback'>) => ({
    appId: env.WECHAT_APP_ID,
    originalId: env.WECHAT_ORIGINAL_ID,
    tokens: [env.WECHAT_TOKEN, env.WECHAT_TOKEN_PREVIOUS].filter((t): t is string => !!t),
    aesKeys: [env.WECHAT_ENCODING_AES_KEY, env.WECHAT_ENCODING_AES_KEY_PREVIOUS].filter((k): k is string => !!k),
    windowSeconds: env.CALLBACK_TIMESTAMP_WINDOW_SECONDS,
    maxBodyBytes: env.CALLBACK_MAX_BODY_BYTES,
    acceptPlain: env.CALLBACK_ACCEPT_PLAIN === 'true',
    notify: env.NOTIFY_URL ? { url: env.NOTIFY_URL, secret: env.NOTIFY_SECRET ?? '' } : undefined,
  }),
};

export type Config = { [K in keyof Sections]: ReturnType<(typeof build)[K]> };
export type WeChatConfig = Config['wechat'];
export type CallbackConfig = Config['callback'];

/** The variables the given sections read: what a function needs from the environment. */
export function configVariables(...wanted: Array<keyof Sections>): string[] {
  return [...new Set(wanted.flatMap((key) => Object.keys(sections[key]())))];
}

/**
 * Parses only the sections a function uses, so a function never demands a variable it does
 * not read. Every problem is reported at once, each with its variable's name.
 */
export function readConfig<K extends keyof Sections>(
  env: Record<string, string | undefined>,
  ...wanted: K[]
): Pick<Config, K> {
  const shape = Object.assign({}, ...wanted.map((key) => sections[key]()));
  // An empty variable counts as unset: deployment templates pass `${env:X}` for optional ones.
  // Only the function's own variables are read, so reading the environment reveals what it uses.
  const given = Object.fromEntries(
    Object.keys(shape)
      .map((key) => [key, env[key]] as const)
      .filter(([, value]) => value !== undefined && value !== ''),
  );
  // Parsed once per container: zod's compiled fast path for objects (generated code, then
  // compiled) would cost the cold start more than the one parse it speeds up (issue 13).
  const result = z.object(shape).safeParse(given, { jitless: true });
  if (!result.success) {
    throw new ConfigError(describeIssues(result.error.issues).map((p) => ({ variable: p.path, reason: p.reason })));
  }
  const raw = result.data as Record<string, string | undefined> & Raw<K>;
  if (wanted.includes('callback' as K) && raw.NOTIFY_URL && !raw.NOTIFY_SECRET) {
    throw new ConfigError([{ variable: 'NOTIFY_SECRET', reason: 'is required when NOTIFY_URL is set' }]);
  }
  return Object.fromEntries(wanted.map((key) => [key, build[key](raw as never)])) as Pick<Config, K>;
}
