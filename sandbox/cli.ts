import { DEMO_ACCOUNTS } from './accounts';
import type { CallbackConfig, CallbackMode } from './state';
import { startSandbox } from './server';

/**
 * `npx tsx sandbox/cli.ts`: the WeChat sandbox on SANDBOX_PORT (default 3001). Pushes go to
 * SANDBOX_CALLBACK_URL, signed with WECHAT_TOKEN and, in compat/safe mode
 * (SANDBOX_CALLBACK_MODE), encrypted with WECHAT_ENCODING_AES_KEY.
 */
function callbackFromEnv(env: NodeJS.ProcessEnv): CallbackConfig | undefined {
  const url = env.SANDBOX_CALLBACK_URL;
  if (!url) return undefined;
  const token = env.WECHAT_TOKEN;
  if (!token) throw new Error('SANDBOX_CALLBACK_URL is set but WECHAT_TOKEN is missing');
  const mode = env.SANDBOX_CALLBACK_MODE ?? (env.WECHAT_ENCODING_AES_KEY ? 'safe' : 'plain');
  if (mode !== 'plain' && mode !== 'compat' && mode !== 'safe')
    throw new Error('SANDBOX_CALLBACK_MODE must be plain, compat or safe');
  const aesKey = env.WECHAT_ENCODING_AES_KEY;
  return { url, token, mode: mode as CallbackMode, ...(aesKey ? { encodingAesKey: aesKey } : {}) };
}

async function main(): Promise<void> {
  const port = Number(process.env.SANDBOX_PORT ?? 3001);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error('SANDBOX_PORT must be a port number');
  const callback = callbackFromEnv(process.env);
  const sandbox = await startSandbox({ port, ...(callback ? { callback } : {}) });

  console.log(`WeChat sandbox listening on ${sandbox.url} (inspect: ${sandbox.url}/__sandbox)`);
  for (const account of [DEMO_ACCOUNTS.service, DEMO_ACCOUNTS.subscription]) {
    console.log(
      `  ${account.type.padEnd(12)} appid=${account.appid} (its demo secret: DEMO_ACCOUNTS in sandbox/accounts.ts)`,
    );
  }
  console.log(
    callback
      ? `  pushes → ${callback.url} (${callback.mode ?? 'plain'} mode)`
      : '  pushes: no callback URL set (POST /__sandbox/callback)',
  );

  const stop = (signal: string): void => {
    console.log(`${signal}: stopping the sandbox`);
    sandbox.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(`sandbox: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
