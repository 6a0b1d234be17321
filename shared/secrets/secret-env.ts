import * as z from 'zod/mini';
import { ConfigError } from '../config';
import { rememberSecret } from '../redact';
import { createSsmClient, type FetchSecret, SecretUnavailableError } from './ssm-client';

type Env = Record<string, string | undefined>;

/**
 * The variables that may come from the SSM secret instead of the environment. The secret is a
 * JSON object whose field names are these variable names (README, "Secrets in SSM").
 */
export const SECRET_VARIABLES = [
  'WECHAT_APP_SECRET',
  'API_KEYS',
  'WECHAT_TOKEN',
  'WECHAT_TOKEN_PREVIOUS',
  'WECHAT_ENCODING_AES_KEY',
  'WECHAT_ENCODING_AES_KEY_PREVIOUS',
  'NOTIFY_SECRET',
] as const;

// Without these a function cannot work; the others are optional (rotations, notifications).
const REQUIRED = new Set<string>(['WECHAT_APP_SECRET', 'API_KEYS', 'WECHAT_TOKEN']);

const SecretFields = z.record(z.string(), z.string());

export interface ResolvedEnv {
  env: Env;
  /** Reads the secret again, once per container, and returns its AppSecret: for a rotation
   *  WeChat reported by rejecting the AppSecret. Undefined once used, or without SSM. */
  rereadAppSecret?: () => Promise<string | undefined>;
}

export interface SecretEnvOptions {
  /** Default: the SSM API with the execution role's key (tests pass a fake endpoint's client). */
  fetchSecret?: FetchSecret;
  /** Default Date.now: spaces the re-reads of a rejected AppSecret (tests move it). */
  now?: () => number;
}

// Per container: the secret is read once and kept; a failed read is not kept.
const cache = new Map<string, Promise<string>>();
/** When each secret was last read again for a rejected AppSecret. */
const reread = new Map<string, number>();

/**
 * A rejected AppSecret sends the container back to SSM at most this often. Not once per
 * container: WeChat rejects the old AppSecret as soon as it is reset, before the operator has
 * put the new one in SSM, and a container that spent its one re-read in that gap would send the
 * old one until SCF recycled it. Not every time either: a wrong secret must not become one SSM
 * read per token call.
 */
export const REREAD_INTERVAL_MS = 60_000;

/** Forgets every cached secret (tests). */
export function resetSecretCache(): void {
  cache.clear();
  reread.clear();
}

function defaultFetcher(env: Env): FetchSecret {
  // Unset, the secret is taken to live in the function's own region: SCF puts it in every
  // function's environment as TENCENTCLOUD_REGION, which Tencent's SDK for calls made from
  // inside a function reads for the same purpose (tencentyun/tencent-serverless-python,
  // tencentserverless/scf.py, Client.invoke: TENCENTCLOUD_REGION beside TENCENTCLOUD_SECRETID).
  const region = env.WECHAT_SECRET_REGION || env.TENCENTCLOUD_REGION;
  const missing = ['TENCENTCLOUD_SECRETID', 'TENCENTCLOUD_SECRETKEY'].filter((v) => !env[v]);
  if (!region) missing.push('WECHAT_SECRET_REGION');
  if (missing.length || !region) {
    // SCF sets the TENCENTCLOUD_ keys only for a function that has an execution role.
    throw new ConfigError(
      missing.map((variable) => ({ variable, reason: 'is required when WECHAT_SECRET_NAME is set' })),
    );
  }
  return createSsmClient({
    credentials: {
      secretId: env.TENCENTCLOUD_SECRETID!,
      secretKey: env.TENCENTCLOUD_SECRETKEY!,
      ...(env.TENCENTCLOUD_SESSIONTOKEN ? { token: env.TENCENTCLOUD_SESSIONTOKEN } : {}),
    },
    region,
    // TENCENTCLOUD_ variables cannot be set on SCF (the prefix is reserved): a local fake only.
    ...(env.TENCENTCLOUD_SSM_ENDPOINT ? { endpoint: env.TENCENTCLOUD_SSM_ENDPOINT } : {}),
  });
}

async function readFields(fetchSecret: FetchSecret, name: string, version: string): Promise<Record<string, string>> {
  const key = `${name}\u0000${version}`;
  let text = cache.get(key);
  if (!text) {
    text = fetchSecret(name, version);
    cache.set(key, text);
    text.catch(() => cache.delete(key));
  }
  let raw: string;
  try {
    raw = await text;
  } catch (err) {
    const code = err instanceof SecretUnavailableError ? err.code : 'RequestFailed';
    throw new ConfigError([{ variable: 'WECHAT_SECRET_NAME', reason: `secret ${name} could not be read (${code})` }]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  const fields = SecretFields.safeParse(parsed);
  if (!fields.success) {
    throw new ConfigError([
      { variable: 'WECHAT_SECRET_NAME', reason: `secret ${name} is not a JSON object of string fields` },
    ]);
  }
  Object.values(fields.data).forEach(rememberSecret);
  return fields.data;
}

/**
 * The environment a function's configuration is read from: `env` itself, or, when
 * WECHAT_SECRET_NAME is set, `env` with the secret variables the function reads (`variables`)
 * taken from that SSM secret. A required field the secret lacks is a ConfigError naming it.
 */
export async function withSecrets(
  env: Env,
  variables: readonly string[],
  options: SecretEnvOptions = {},
): Promise<ResolvedEnv> {
  const name = env.WECHAT_SECRET_NAME?.trim();
  if (!name) return { env };
  const version = env.WECHAT_SECRET_VERSION?.trim() || 'v1';
  const fetchSecret = options.fetchSecret ?? defaultFetcher(env);
  const wanted = SECRET_VARIABLES.filter((v) => variables.includes(v));
  const fields = await readFields(fetchSecret, name, version);
  const missing = wanted.filter((v) => REQUIRED.has(v) && !fields[v]);
  if (missing.length) {
    throw new ConfigError(missing.map((variable) => ({ variable, reason: `is missing from SSM secret ${name}` })));
  }
  // The secret is the only source of these variables: a stale copy in the environment is ignored.
  // Reads of other variables go through to `env` itself (no copy of the whole environment).
  const resolved: Env = Object.create(env) as Env;
  for (const variable of wanted) resolved[variable] = fields[variable];
  const key = `${name}\u0000${version}`;
  return {
    env: resolved,
    rereadAppSecret: wanted.includes('WECHAT_APP_SECRET')
      ? async () => {
          const at = (options.now ?? Date.now)();
          const last = reread.get(key);
          if (last !== undefined && at - last < REREAD_INTERVAL_MS) return undefined;
          reread.set(key, at);
          cache.delete(key);
          return (await readFields(fetchSecret, name, version)).WECHAT_APP_SECRET;
        }
      : undefined,
  };
}
