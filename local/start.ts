import { resolve } from 'node:path';
import { DEMO_ACCOUNTS, DEMO_MEDIA, startSandbox, type Sandbox, type SandboxOptions } from '../sandbox/server';
import { startGateway, type Gateway } from './gateway';
import { loadLocalSecrets } from './local-config';
import { apiRouteTable, checkDeployment, functionFolders, readDeployment } from './deployment';
import { readServerlessConfig } from './serverless-config';
import { inspectionRoutes, pasteBlock } from './curl-examples';
import { watchJobProgress } from './job-progress';
import { openStore } from '../shared/store/open-store';

const checkout = resolve(import.meta.dirname, '..');

export interface LocalOptions {
  port?: number;
  sandboxPort?: number;
  /** Where the file store and the generated secrets live (default .local/). */
  dataDir?: string;
  /** Overrides the generated key, as API_KEYS does. */
  apiKeys?: string;
  storeUrl?: string;
  account?: 'service' | 'subscription';
  callbackMode?: 'plain' | 'compat' | 'safe';
  jobDurationMs?: number;
  timers?: boolean;
  /** How often the progress of running jobs is printed (default 5 s). */
  jobProgressMs?: number;
  /** Where serverless.yml, api-gateway/ and dist/ are (default: this checkout). */
  root?: string;
  /** The built bundles (default: <root>/dist; the tests pass their one build). */
  distDir?: string;
  log?: (line: string) => void;
  /** More sandbox options (tests): e.g. a short confirmationWindowMs. */
  sandbox?: Pick<SandboxOptions, 'confirmationWindowMs' | 'protectedAppids' | 'bulkFollowers'>;
}

export interface Local {
  gateway: Gateway;
  sandbox: Sandbox;
  apiKey: string;
  env: Record<string, string | undefined>;
  close(): Promise<void>;
}

/** The whole product on one machine: the WeChat sandbox plus every built bundle behind a gateway. */
export async function startLocal(options: LocalOptions = {}): Promise<Local> {
  const log = options.log ?? ((line: string) => console.log(line));
  const root = options.root ?? checkout;
  const dataDir = options.dataDir ?? resolve(root, '.local');
  const distDir = options.distDir ?? resolve(root, 'dist');
  const secrets = loadLocalSecrets(dataDir);
  const account = DEMO_ACCOUNTS[options.account ?? 'service'];
  const mode = options.callbackMode ?? 'safe';

  const sandbox = await startSandbox({
    port: options.sandboxPort ?? 0,
    jobDurationMs: options.jobDurationMs ?? JOB_DURATION_MS,
    // The file store outlives the sandbox: start each run's msg_ids past every earlier run's.
    firstMsgId: Date.now() * 1000,
    ...options.sandbox,
    log: (line) => log(`[wechat] ${line}`),
  }).catch((err: unknown) => {
    throw portInUse(err, options.sandboxPort, 'SANDBOX_PORT');
  });
  const apiKeys = options.apiKeys ?? secrets.apiKey;
  const env: Record<string, string | undefined> = {
    ...process.env,
    WECHAT_APP_ID: account.appid,
    WECHAT_APP_SECRET: account.secret,
    WECHAT_API_BASE_URL: sandbox.url,
    WECHAT_TOKEN: secrets.callbackToken,
    WECHAT_ORIGINAL_ID: account.ghId,
    WECHAT_ENCODING_AES_KEY: mode === 'plain' ? undefined : secrets.encodingAesKey,
    STORE_URL: options.storeUrl ?? `file:${resolve(dataDir, 'store')}`,
    API_KEYS: apiKeys,
  };
  // The same files `serverless deploy` reads; what would deploy broken does not start here either.
  const problems = checkDeployment(readDeployment(root, { STAGE: 'local' }), {
    distDir,
    functionFolders: functionFolders(root),
    routeTable: apiRouteTable(),
  });
  if (problems.length) {
    await sandbox.close();
    throw new Error(`the deployment description would deploy a broken service:\n  ${problems.join('\n  ')}`);
  }
  const serverless = readServerlessConfig(resolve(root, 'serverless.yml'), { STAGE: 'local' });
  let gateway: Gateway;
  try {
    gateway = await startGateway({
      port: options.port ?? 0,
      distDir,
      env,
      functions: serverless.functions,
      timers: options.timers === false ? [] : serverless.timers,
      routes: serverless.routes,
      log: (line) => log(`[gateway] ${line}`),
    });
  } catch (err) {
    await sandbox.close();
    throw portInUse(err, options.port, 'PORT');
  }
  // The hand-off of a started job to the dispatcher goes through the gateway's local SCF API,
  // with placeholder role credentials as SCF would set real ones (read at each cold start).
  Object.assign(env, {
    SCF_API_ENDPOINT: gateway.url,
    DISPATCHER_FUNCTION_NAME: serverless.functions.dispatcher?.name ?? 'dispatcher',
    TENCENTCLOUD_REGION: 'ap-local',
    TENCENTCLOUD_SECRETID: 'local-secret-id',
    TENCENTCLOUD_SECRETKEY: 'local-secret-key',
  });
  sandbox.setCallback({
    url: `${gateway.url}/callback`,
    token: secrets.callbackToken,
    mode,
    ...(mode === 'plain' ? {} : { encodingAesKey: secrets.encodingAesKey }),
  });
  // A progress line per running job (read from the same store the functions use).
  const progressStore = openStore(env.STORE_URL!);
  const progress = watchJobProgress({
    store: progressStore,
    appId: account.appid,
    log: (line) => log(`[jobs] ${line}`),
    ...(options.jobProgressMs ? { everyMs: options.jobProgressMs } : {}),
  });
  return {
    gateway,
    sandbox,
    apiKey: apiKeys.split(',')[0]!.trim(),
    env,
    async close() {
      await progress.stop();
      await progressStore.close();
      await gateway.close();
      await sandbox.close();
    },
  };
}

/** How long a sandbox send stays SENDING under `npm start`. */
const JOB_DURATION_MS = 3_000;

/** EADDRINUSE as a sentence naming the variable that picks the port. */
export function portInUse(err: unknown, port: number | undefined, variable: string): unknown {
  if ((err as NodeJS.ErrnoException | undefined)?.code !== 'EADDRINUSE') return err;
  const other = (port ?? 3000) + 100;
  return new Error(
    `port ${port} is already in use (another npm start?): stop that process, or set ${variable} to a free port, ` +
      `e.g. ${variable}=${other} npm start`,
  );
}

/** `redis://:password@host` → `redis://:***@host`: the store URL may carry a password. */
export function maskCredentials(url: string): string {
  return url.replace(/^([a-z]+:\/\/)[^@/]*@/i, '$1***@');
}

function portFrom(variable: string, fallback: number): number {
  const raw = process.env[variable];
  const port = raw ? Number(raw) : fallback;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`${variable} must be a port number (0 to 65535), got ${JSON.stringify(raw)}`);
  }
  return port;
}

async function main() {
  const port = portFrom('PORT', 3000);
  const sandboxPort = portFrom('SANDBOX_PORT', 3001);
  const local = await startLocal({
    port,
    sandboxPort,
    apiKeys: process.env.API_KEYS || undefined,
    storeUrl: process.env.STORE_URL || undefined,
  });
  const account = DEMO_ACCOUNTS.service;
  const apiKeyOrigin = process.env.API_KEYS ? ' (from API_KEYS)' : ' (generated, kept in .local/secrets.json)';
  console.log(`
WeChat mass send, running locally
  API gateway     ${local.gateway.url}   (functions: ${local.gateway.functions.join(', ')})
  OpenAPI         ${local.gateway.url}/openapi.json
  WeChat sandbox  ${local.sandbox.url}
  store           ${maskCredentials(local.env.STORE_URL ?? '')}
  API key         ${local.apiKey}${apiKeyOrigin}

Try it (the sandbox's demo service account "${account.name}" is the WeChat side).
${pasteBlock(local.gateway.url, local.apiKey, account, DEMO_MEDIA.service, JOB_DURATION_MS)}
What the sandbox received and sent (GET; POST routes inject faults, move the clock, confirm sends):
  ${inspectionRoutes(local.sandbox.url, account.appid).join('\n  ')}

Ctrl-C stops everything.`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the gateway, the function containers and the sandbox`);
    await local.close().catch((err: unknown) => console.error(err));
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  main().catch((err: unknown) => {
    console.error(`npm start failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
