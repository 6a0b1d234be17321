/**
 * `npm run deploy [-- --function <name>]`: builds, refuses a deployment description that would
 * deploy a broken service (the same check as `npm start` and the tests), then runs
 * `serverless deploy` for the functions (serverless.yml, multi-scf) and, after them, for the
 * routes (api-gateway/serverless.yml, apigateway), which bind to the functions by name.
 * With --function, only that function is deployed (multi-scf reads `inputs.function`) and the
 * routes are left as they are.
 */
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { apiRouteTable, checkDeployment, functionFolders, readDeployment } from '../local/deployment';

const root = resolve(import.meta.dirname, '..');

// Without these the deployment would be created half-configured (no VPC, so no Redis; no CLS
// topic for the dispatcher's asynchronous execution).
const REQUIRED = [
  'STAGE',
  'REGION',
  'VPC_ID',
  'SUBNET_ID',
  'WECHAT_APP_ID',
  'STORE_URL',
  'CLS_LOGSET_ID',
  'CLS_TOPIC_ID',
];

function run(command: string, args: string[], cwd: string) {
  console.log(`$ (cd ${cwd === root ? '.' : cwd.slice(root.length + 1)}) ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd, stdio: 'inherit', env: process.env });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status})`);
}

function main() {
  const at = process.argv.indexOf('--function');
  const only = at >= 0 ? process.argv[at + 1] : undefined;
  const missing = REQUIRED.filter((name) => !process.env[name]);
  if (missing.length) throw new Error(`set ${missing.join(', ')} first (README, "Deploying to Tencent Cloud")`);
  run('npm', ['run', 'build'], root);
  const deployment = readDeployment(root, process.env);
  const problems = checkDeployment(deployment, {
    distDir: join(root, 'dist'),
    functionFolders: functionFolders(root),
    routeTable: apiRouteTable(),
  });
  if (problems.length) throw new Error(`not deploying a broken service:\n  ${problems.join('\n  ')}`);
  if (only) {
    if (!deployment.functions[only]) throw new Error(`no function ${only} in serverless.yml`);
    run('serverless', ['deploy', '--inputs', `function=${only}`], root);
    return;
  }
  run('serverless', ['deploy'], root);
  run('serverless', ['deploy'], join(root, 'api-gateway'));
}

try {
  main();
} catch (err) {
  console.error(`npm run deploy: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
