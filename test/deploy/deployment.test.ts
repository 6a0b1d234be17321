import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  apiRouteTable,
  checkDeployment,
  type Deployment,
  functionFolders,
  readDeployment,
} from '../../local/deployment';
import { type CloudRequest, recordCloudRequests } from '../support/cloud-api-recorder';
import { distDir } from '../support/dist';

const root = resolve(import.meta.dirname, '../..');
const dist = distDir();

// What an operator exports before `serverless deploy` (README, "Deploying to Tencent Cloud").
const DEPLOY_ENV = {
  STAGE: 'prod',
  REGION: 'ap-guangzhou',
  VPC_ID: 'vpc-redis',
  SUBNET_ID: 'subnet-redis',
  WECHAT_APP_ID: 'wx0123456789abcdef',
  STORE_URL: 'redis://10.0.0.5:6379/0',
};

const deployment = readDeployment(root, DEPLOY_ENV);

/** Every HTTP route the product serves: the route table's and WeChat's callback URL. */
function servedRoutes(): string[] {
  return [...apiRouteTable().map((r) => `${r.method} ${r.path}`), 'GET /callback', 'POST /callback'].sort();
}

const options = () => ({ distDir: dist, functionFolders: functionFolders(root), routeTable: apiRouteTable() });

describe('the deployment description', () => {
  it('passes every check: each function folder deployed, handlers built, routes bound, timers open', () => {
    expect(checkDeployment(deployment, options())).toEqual([]);
  });

  it('declares every route of the route table once, bound to the function that serves it, and no other', () => {
    expect(deployment.routes.map((r) => `${r.method} ${r.path}`).sort()).toEqual(servedRoutes());
    for (const entry of apiRouteTable()) {
      const declared = deployment.routes.filter((r) => r.method === entry.method && r.path === entry.path);
      expect(declared.map((r) => r.function)).toEqual([entry.function]);
    }
  });

  it('binds every route with integrated response and waits at least as long as its function runs', () => {
    for (const route of deployment.routes) {
      const fn = deployment.functions[route.function!]!;
      expect(route.integratedResponse, `${route.method} ${route.path}`).toBe(true);
      expect(route.serviceTimeout, `${route.method} ${route.path}`).toBeGreaterThanOrEqual(fn.timeoutSeconds);
    }
  });

  it('keeps the AppSecret and the API keys away from the callback, and its secrets away from the API', () => {
    const callback = deployment.functions.callback!.environment;
    expect(callback).not.toContain('WECHAT_APP_SECRET');
    expect(callback).not.toContain('API_KEYS');
    for (const fn of Object.values(deployment.functions).filter((f) => f.key !== 'callback')) {
      expect(fn.environment, fn.key).not.toContain('WECHAT_TOKEN');
      expect(fn.environment, fn.key).not.toContain('WECHAT_ENCODING_AES_KEY');
    }
  });
});

describe("the README's table of what each function gets", () => {
  it('names every function of serverless.yml once, with its timeout, memory, VPC, fixed egress IP and role', () => {
    const rows = readmeFunctionTable(readFileSync(join(root, 'README.md'), 'utf8'));
    expect(rows.map((r) => r.function).sort()).toEqual(Object.keys(deployment.functions).sort());
    for (const row of rows) {
      const fn = deployment.functions[row.function]!;
      expect(row, row.function).toEqual({
        function: fn.key,
        timeoutSeconds: fn.timeoutSeconds,
        memorySize: fn.memorySize,
        vpc: fn.vpc !== undefined,
        eip: fn.eip,
        role: fn.role,
      });
    }
  });
});

/** The rows of the README's `| function | timeout | memory | VPC | … | role |` table, a function each. */
function readmeFunctionTable(readme: string) {
  const lines = readme.split('\n');
  const header = lines.findIndex((line) => line.startsWith('| function | timeout | memory | VPC |'));
  expect(header, 'the table is in the README').toBeGreaterThan(-1);
  const rows = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    const [names = '', timeout = '', memory = '', vpc = '', eip = '', role = ''] = line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim());
    // "send-by-tag, preview" or "dispatcher (timer …, every minute)": the names before any remark.
    for (const name of names.replace(/\s*\(.*\)$/, '').split(/,\s*/)) {
      rows.push({
        function: name,
        timeoutSeconds: Number.parseInt(timeout, 10),
        memorySize: Number.parseInt(memory, 10),
        vpc: vpc.startsWith('yes'),
        eip: eip.startsWith('yes'),
        role: role.replaceAll('`', ''),
      });
    }
  }
  return rows;
}

describe('what serverless deploy would send (tencent-component-toolkit, cloud API recorded)', () => {
  let requests: CloudRequest[];
  const sent = (action: string) => requests.filter((r) => r.Action === action);
  beforeAll(async () => {
    requests = await recordCloudRequests(deployment);
  }, 30_000);

  it('creates every function on Node.js 18 in the Redis VPC, with its timeout and memory', () => {
    const created = sent('CreateFunction');
    expect(created.map((r) => r.FunctionName).sort()).toEqual(
      functionFolders(root).map((name) => `wechat-mass-send-prod-${name}`),
    );
    for (const request of created) {
      const fn = Object.values(deployment.functions).find((f) => f.name === request.FunctionName)!;
      expect(request).toMatchObject({
        Type: 'Event',
        Runtime: 'Nodejs18.15',
        Handler: `${fn.key}/index.main_handler`,
        Timeout: fn.timeoutSeconds,
        MemorySize: fn.memorySize,
        VpcConfig: { VpcId: 'vpc-redis', SubnetId: 'subnet-redis' },
      });
    }
    const timeouts = Object.fromEntries(created.map((r) => [r.FunctionName, r.Timeout]));
    expect(timeouts['wechat-mass-send-prod-callback']).toBe(5);
    expect(timeouts['wechat-mass-send-prod-send-by-tag']).toBe(40);
  });

  it('gives every function that calls WeChat a fixed egress IP for the API IP whitelist', () => {
    for (const request of sent('CreateFunction').filter((r) => !String(r.FunctionName).endsWith('-callback'))) {
      expect(request.PublicNetConfig, String(request.FunctionName)).toEqual({
        PublicNetStatus: 'ENABLE',
        EipConfig: { EipStatus: 'ENABLE' },
      });
    }
  });

  it('sends each function exactly the variables serverless.yml lists for it', () => {
    for (const request of sent('CreateFunction')) {
      const fn = Object.values(deployment.functions).find((f) => f.name === request.FunctionName)!;
      const keys = (request.Environment as { Variables: Array<{ Key: string }> }).Variables.map((v) => v.Key);
      expect(keys.sort(), fn.key).toEqual([...fn.environment].sort());
    }
  });

  it('creates every timer open, with a seven-field cron', () => {
    const timers = sent('CreateTrigger');
    expect(timers.length).toBe(deployment.timers.length);
    for (const timer of timers) {
      expect(timer).toMatchObject({ Type: 'timer', Enable: 'OPEN' });
      expect(String(timer.TriggerDesc).split(' ')).toHaveLength(7);
    }
  });

  it('creates every API with integrated response TRUE, bound to a deployed function', () => {
    const apis = sent('CreateApi');
    expect(
      apis
        .map((a) => `${(a.RequestConfig as { Method: string }).Method} ${(a.RequestConfig as { Path: string }).Path}`)
        .sort(),
    ).toEqual(servedRoutes());
    const names = new Set(sent('CreateFunction').map((r) => r.FunctionName));
    for (const api of apis) {
      expect(api).toMatchObject({ ServiceType: 'SCF', ServiceScfIsIntegratedResponse: true });
      expect(names.has(api.ServiceScfFunctionName), String(api.ServiceScfFunctionName)).toBe(true);
      const fn = sent('CreateFunction').find((r) => r.FunctionName === api.ServiceScfFunctionName)!;
      expect(api.ServiceTimeout as number).toBeGreaterThanOrEqual(fn.Timeout as number);
    }
    expect(sent('ReleaseService')).toHaveLength(1);
  });

  it('configures no async-invocation retry for the dispatcher, which could send a batch twice', () => {
    const dispatcher = sent('UpdateFunctionEventInvokeConfig').filter(
      (r) => r.FunctionName === 'wechat-mass-send-prod-dispatcher',
    );
    expect(dispatcher).toHaveLength(1);
    expect(dispatcher[0]!.AsyncTriggerConfig).toMatchObject({ RetryConfig: [{ RetryNum: 0 }] });
    const created = sent('CreateFunction').find((r) => r.FunctionName === 'wechat-mass-send-prod-dispatcher')!;
    expect(created.AsyncRunEnable).toBe('TRUE');
  });

  it('hands every upload to the function base64-encoded, so binary bytes and forms survive', () => {
    const uploads = sent('CreateApi').filter((a) =>
      /^\/media\/(image|material\/(image|voice|video|thumb)|temporary\/\w+)$/.test(
        (a.RequestConfig as { Path: string }).Path,
      ),
    );
    expect(uploads).toHaveLength(9);
    for (const upload of uploads) {
      expect(upload.IsBase64Encoded).toBe(true);
      // No trigger rules: a multipart content type carries its boundary, which no rule could list.
      expect(upload.IsBase64Trigger).not.toBe(true);
    }
  });
});

describe('checkDeployment refuses what would deploy broken', () => {
  const copies: string[] = [];
  afterEach(() => {
    for (const dir of copies.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  /** The real files with one textual change, read back. */
  function edited(file: string, from: string | RegExp, to: string): Deployment {
    const copy = mkdtempSync(join(tmpdir(), 'deployment-'));
    copies.push(copy);
    cpSync(join(root, 'serverless.yml'), join(copy, 'serverless.yml'));
    cpSync(join(root, 'api-gateway'), join(copy, 'api-gateway'), { recursive: true });
    const path = join(copy, file);
    const text = readFileSync(path, 'utf8');
    const changed = text.replace(from, to);
    expect(changed, 'the edit applies').not.toBe(text);
    writeFileSync(path, changed);
    return readDeployment(copy, DEPLOY_ENV);
  }
  const problems = (d: Deployment) => checkDeployment(d, options());

  it('a route with integrated response off', () => {
    const d = edited('api-gateway/serverless.yml', 'isIntegratedResponse: true', 'isIntegratedResponse: false');
    expect(problems(d)).toContainEqual('route POST /send-by-tag: integrated response is off');
  });

  it('an API declared as a multi-scf apigw trigger', () => {
    const d = edited(
      'serverless.yml',
      '  triggers:\n',
      '  triggers:\n    - type: apigw\n' +
        '      parameters: { name: api, apis: [{ path: /x, method: GET, function: status }] }\n',
    );
    expect(problems(d).join('\n')).toMatch(/apigw trigger: multi-scf rebuilds/);
  });

  it('a handler whose file is not built', () => {
    const d = edited('serverless.yml', 'handler: status/index.main_handler', 'handler: stats/index.main_handler');
    expect(problems(d)).toContainEqual('status: handler file stats/index.js does not exist in dist/');
  });

  it('a gateway wait shorter than the function', () => {
    const d = edited('api-gateway/serverless.yml', /serviceTimeout: 40/, 'serviceTimeout: 15');
    expect(problems(d)).toContainEqual("route POST /send-by-tag: serviceTimeout 15 s is under send-by-tag's 40 s");
  });

  it('a five-field cron and a timer left closed', () => {
    const d = edited(
      'serverless.yml',
      'cronExpression: "0 */5 * * * * *"\n        enable: true',
      'cronExpression: "*/5 * * * *"',
    );
    expect(problems(d)).toEqual([
      'timer refresh-token: SCF cron needs 7 fields (second minute hour day month weekday year)',
      'timer refresh-token: enable is not true, so the trigger is created closed',
    ]);
  });

  it('the AppSecret given to the callback', () => {
    const d = edited(
      'serverless.yml',
      '          WECHAT_TOKEN_PREVIOUS:',
      '          WECHAT_APP_SECRET: x\n          WECHAT_TOKEN_PREVIOUS:',
    );
    expect(problems(d)).toContainEqual('callback: must not get WECHAT_APP_SECRET');
  });

  it('a route to a function serverless.yml does not deploy, and a route declared twice', () => {
    const twice = edited('api-gateway/serverless.yml', '    - path: /delete\n', '    - path: /preview\n');
    expect(problems(twice)).toContainEqual('route POST /preview is declared twice');
    const unknown = edited('api-gateway/serverless.yml', /functionName: \S+-status\n/, 'functionName: statuz\n');
    expect(problems(unknown)).toContainEqual('route GET /status: function statuz is not deployed by serverless.yml');
  });

  it('a route of the route table left out, and a route the table does not have', () => {
    const missing = edited('api-gateway/serverless.yml', / {4}- path: \/media\/video\n(.*\n){3}/, '');
    expect(problems(missing)).toEqual([
      'route POST /media/video of the route table (media) is not in api-gateway/serverless.yml',
    ]);
    const extra = edited('api-gateway/serverless.yml', '    - path: /media/video\n', '    - path: /media/voice\n');
    expect(problems(extra)).toEqual([
      'route POST /media/video of the route table (media) is not in api-gateway/serverless.yml',
      'route POST /media/voice (media) is not in the route table',
    ]);
  });

  it('an async function without retryNum, which the toolkit would retry twice', () => {
    const d = edited(
      'serverless.yml',
      '      handler: refresh-token/index.main_handler\n',
      '      handler: refresh-token/index.main_handler\n      asyncRunEnable: true\n',
    );
    expect(problems(d)).toContainEqual(
      'refresh-token: asyncRunEnable without retryNum: tencent-component-toolkit then sets 2 retries',
    );
  });
});
