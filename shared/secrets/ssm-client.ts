import { loadLazily } from '../runtime/load-lazily';

/** Reads one secret version's text from Tencent Cloud Secrets Manager (SSM). */
export type FetchSecret = (name: string, version: string) => Promise<string>;

export interface SsmClientOptions {
  /** SCF puts the execution role's temporary key in TENCENTCLOUD_SECRETID/SECRETKEY/SESSIONTOKEN. */
  credentials: { secretId: string; secretKey: string; token?: string };
  region: string;
  /** Default https://ssm.tencentcloudapi.com; a local fake in tests. */
  endpoint?: string;
  timeoutSeconds?: number;
  /** The HTTP agent the SDK connects with (tests: one that reaches a local fake). */
  agent?: import('node:http').Agent;
}

type SsmModule = typeof import('tencentcloud-sdk-nodejs-ssm');

/** Raised for an SSM call that failed; `code` is Tencent Cloud's error code, never a value. */
export class SecretUnavailableError extends Error {
  override readonly name = 'SecretUnavailableError';
  constructor(
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(`the SSM secret could not be read (${code})`, options);
  }
}

/**
 * tencentcloud-sdk-nodejs-ssm (about 550 KB bundled with its common SDK and node-fetch) is
 * imported on the first read only: a function without WECHAT_SECRET_NAME never evaluates it.
 * The build ships it once, as dist/vendor/tencentcloud-ssm.js, outside every function bundle.
 */
export function createSsmClient(options: SsmClientOptions): FetchSecret {
  return async (name, version) => {
    // Bundled, this requires dist/vendor/tencentcloud-ssm.js; via import() (vitest) the CommonJS
    // SDK's exports may arrive as the namespace's default.
    const loaded = (await loadLazily(
      () => require('tencentcloud-sdk-nodejs-ssm'),
      () => import('tencentcloud-sdk-nodejs-ssm'),
    )) as SsmModule & { default?: SsmModule };
    const ssm = loaded.ssm ?? loaded.default!.ssm;
    const url = new URL(options.endpoint ?? 'https://ssm.tencentcloudapi.com');
    const client = new ssm.v20190923.Client({
      credential: options.credentials,
      region: options.region,
      profile: {
        httpProfile: {
          protocol: `${url.protocol}//`,
          endpoint: url.host,
          reqTimeout: options.timeoutSeconds ?? 5,
          ...(options.agent ? { agent: options.agent } : {}),
        },
      },
    });
    try {
      const reply = await client.GetSecretValue({ SecretName: name, VersionId: version });
      if (typeof reply.SecretString !== 'string') throw new SecretUnavailableError('NoSecretString');
      return reply.SecretString;
    } catch (err) {
      if (err instanceof SecretUnavailableError) throw err;
      const code = (err as { code?: unknown }).code;
      throw new SecretUnavailableError(typeof code === 'string' && code ? code : 'RequestFailed', { cause: err });
    }
  };
}
