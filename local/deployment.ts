import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { API_ROUTES } from '../shared/api/route-table';

/**
 * The deployment description (serverless.yml for the functions and timers, api-gateway/serverless.yml
 * for the routes) read the way the Tencent Cloud components read it, so `npm start`, the
 * deployment check and `serverless deploy` all see the same thing. The README ("Why two
 * component instances") cites the component sources each rule below comes from.
 */

type Env = Record<string, string | undefined>;

export interface DeployedFunction {
  /** The key under `functions:` (and the folder of dist/). */
  key: string;
  /** The SCF function name (multi-scf: `name`, else `${instance}-${stage}-${app}-${key}`). */
  name: string;
  handler: string;
  runtime: string;
  type: string;
  timeoutSeconds: number;
  memorySize: number;
  /** The variables the function gets, by name. */
  environment: string[];
  vpc?: { vpcId?: string; subnetId?: string };
  publicAccess: boolean;
  eip: boolean;
  role?: string;
  asyncRunEnable: boolean;
  /** Async-invocation retries; tencent-component-toolkit sends 2 when this is unset. */
  retryNum?: number;
  /** The function's inputs as the component hands them to tencent-component-toolkit's Scf. */
  scfInputs: Record<string, unknown>;
}

export interface TimerTrigger {
  function: string;
  name: string;
  cron: string;
  enable: boolean;
  argument?: string;
}

export interface Route {
  path: string;
  method: string;
  /** The SCF function name the route is bound to. */
  functionName: string;
  /** The function's key in serverless.yml, when the name matches one. */
  function?: string;
  integratedResponse: boolean;
  serviceTimeout: number;
  /** Every body reaches the function base64-encoded (the route's isBase64Encoded). */
  base64Encoded: boolean;
}

export interface Deployment {
  functions: Record<string, DeployedFunction>;
  timers: TimerTrigger[];
  routes: Route[];
  /** `apigw` triggers declared in serverless.yml itself (multi-scf would drop integrated response). */
  multiScfApigwTriggers: number;
  /** The inputs of api-gateway/serverless.yml, as the apigateway component hands them on. */
  apiGatewayInputs: Record<string, unknown>;
  /** Every `${env:X}` the two files use. */
  variables: string[];
}

/** Serverless Framework's `${env:X}`; an unset variable becomes an empty string here. */
function resolveVariables(text: string, env: Env, seen: Set<string>): string {
  return text.replace(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
    seen.add(name);
    return env[name] ?? '';
  });
}

function readYaml(file: string, env: Env, seen: Set<string>): Record<string, unknown> {
  if (!existsSync(file)) throw new Error(`${file} is missing`);
  return parse(resolveVariables(readFileSync(file, 'utf8'), env, seen)) as Record<string, unknown>;
}

type Obj = Record<string, unknown>;
const obj = (value: unknown): Obj => (typeof value === 'object' && value !== null ? (value as Obj) : {});

// multi-scf: the function inputs are `{...commonInputs, ...func}` with only these copied from the
// top level (src/formatter.ts formatInputs), then `name ||= ${instance}-${stage}-${app}-${key}`.
const COMMON_KEYS = ['type', 'namespace', 'runtime', 'description'] as const;
const COMMON_DEFAULTS: Obj = { type: 'event', namespace: 'default', runtime: 'Nodejs12.16' };

function toFunction(key: string, func: Obj, inputs: Obj, instance: Obj): DeployedFunction {
  const common = Object.fromEntries(COMMON_KEYS.map((k) => [k, inputs[k] ?? COMMON_DEFAULTS[k]]));
  const scfInputs: Obj = { ...common, ...func };
  scfInputs.name ??= `${String(instance.name)}-${String(instance.stage)}-${String(instance.app)}-${key}`;
  // formatFaasInputs turns an array form into the toolkit's shape; the toolkit itself reads only
  // environment.variables and vpcConfig (src/modules/scf/utils.ts formatInputs).
  if (Array.isArray(scfInputs.environment)) {
    scfInputs.environment = {
      variables: Object.fromEntries(
        (scfInputs.environment as Array<{ key: string; value: string }>).map((e) => [e.key, e.value]),
      ),
    };
  }
  if (scfInputs.vpc) scfInputs.vpcConfig = scfInputs.vpc;
  const variables = obj(obj(scfInputs.environment).variables);
  const vpc = scfInputs.vpcConfig ? (obj(scfInputs.vpcConfig) as DeployedFunction['vpc']) : undefined;
  return {
    key,
    name: String(scfInputs.name),
    handler: String(scfInputs.handler ?? ''),
    runtime: String(scfInputs.runtime),
    type: String(scfInputs.type),
    // The toolkit's defaults (src/modules/scf/config.ts): 3 s and 128 MB.
    timeoutSeconds: Number(scfInputs.timeout ?? 3),
    memorySize: Number(scfInputs.memorySize ?? 128),
    environment: Object.keys(variables),
    ...(vpc ? { vpc } : {}),
    publicAccess: scfInputs.publicAccess !== false,
    eip: scfInputs.eip === true,
    ...(typeof scfInputs.role === 'string' ? { role: scfInputs.role } : {}),
    asyncRunEnable: scfInputs.asyncRunEnable === true,
    ...(typeof scfInputs.retryNum === 'number' ? { retryNum: scfInputs.retryNum } : {}),
    scfInputs,
  };
}

/**
 * Reads `<root>/serverless.yml` (multi-scf) and `<root>/api-gateway/serverless.yml`
 * (apigateway). `env` fills `${env:X}`: the deploy-time environment, or local values.
 */
export function readDeployment(root: string, env: Env = {}): Deployment {
  const seen = new Set<string>();
  const functionsFile = readYaml(join(root, 'serverless.yml'), env, seen);
  const apiFile = readYaml(join(root, 'api-gateway', 'serverless.yml'), env, seen);
  const inputs = obj(functionsFile.inputs);
  const functions = Object.fromEntries(
    Object.entries(obj(inputs.functions)).map(([key, func]) => [
      key,
      toFunction(key, obj(func), inputs, functionsFile),
    ]),
  );
  const triggers = Array.isArray(inputs.triggers) ? (inputs.triggers as Obj[]) : [];
  const timers = triggers
    .filter((t) => t.type === 'timer')
    .map((t) => {
      const parameters = obj(t.parameters);
      return {
        function: String(t.function ?? ''),
        name: String(parameters.name ?? t.function ?? 'timer'),
        cron: String(parameters.cronExpression ?? ''),
        // tencent-component-toolkit's TimerTrigger: Enable is 'OPEN' only when enable is truthy.
        enable: parameters.enable === true,
        ...(parameters.argument !== undefined ? { argument: String(parameters.argument) } : {}),
      };
    });
  const byName = new Map(Object.values(functions).map((f) => [f.name, f.key]));
  const apiInputs = obj(apiFile.inputs);
  const endpoints = Array.isArray(apiInputs.endpoints) ? (apiInputs.endpoints as Obj[]) : [];
  const routes = endpoints.map((endpoint) => {
    const fn = obj(endpoint.function);
    const functionName = String(fn.functionName ?? '');
    const key = byName.get(functionName);
    return {
      path: String(endpoint.path ?? ''),
      method: String(endpoint.method ?? '').toUpperCase(),
      functionName,
      ...(key ? { function: key } : {}),
      // src/modules/apigw/entities/api.ts formatInput: serviceScfIsIntegratedResponse is true
      // only for a truthy function.isIntegratedResponse; serviceTimeout defaults to 15.
      integratedResponse: !!fn.isIntegratedResponse,
      serviceTimeout: Number(endpoint.serviceTimeout ?? 15),
      // src/modules/apigw/entities/api.ts: isBase64Encoded is endpoint.isBase64Encoded === true;
      // this product sets no isBase64Trigger rules, so such a route encodes every body.
      base64Encoded: endpoint.isBase64Encoded === true,
    };
  });
  return {
    functions,
    timers,
    routes,
    multiScfApigwTriggers: triggers.filter((t) => t.type === 'apigw').length,
    apiGatewayInputs: apiInputs,
    variables: [...seen].sort(),
  };
}

/** A route of the product's route table (shared/api/route-table.ts) and the function serving it. */
export interface TableRoute {
  function: string;
  method: string;
  path: string;
}

/** The route table as the deployment check reads it. */
export function apiRouteTable(): TableRoute[] {
  return API_ROUTES.map(({ functionName, route }) => ({
    function: functionName,
    method: route.method,
    path: route.path,
  }));
}

export interface CheckOptions {
  /** Where the built bundles are: each handler's file must exist and export the handler. */
  distDir?: string;
  /** The function folders (functions/<name>/index.ts); each must be deployed. */
  functionFolders?: string[];
  /** Every route of the route table must be declared once, bound to its function, and an API
   *  function must serve no route the table does not have. */
  routeTable?: TableRoute[];
}

/**
 * What `serverless deploy` would deploy broken, or the cloud would refuse, as sentences. Empty
 * when the description is sound. `npm start`, `npm run deploy` and the tests all call this.
 */
export function checkDeployment(deployment: Deployment, options: CheckOptions = {}): string[] {
  const problems: string[] = [];
  const { functions, timers, routes } = deployment;
  for (const folder of options.functionFolders ?? []) {
    if (!functions[folder]) problems.push(`function folder ${folder} is not deployed by serverless.yml`);
  }
  if (deployment.multiScfApigwTriggers > 0) {
    problems.push(
      'serverless.yml declares an apigw trigger: multi-scf rebuilds its functions without isIntegratedResponse; ' +
        'declare routes in api-gateway/serverless.yml',
    );
  }
  for (const fn of Object.values(functions)) {
    const match = /^(.+)\.([A-Za-z_$][\w$]*)$/.exec(fn.handler);
    if (!match) {
      problems.push(`${fn.key}: handler "${fn.handler}" is not <file>.<export>`);
    } else if (options.distDir) {
      const file = join(options.distDir, `${match[1]}.js`);
      if (!existsSync(file)) problems.push(`${fn.key}: handler file ${match[1]}.js does not exist in dist/`);
      else if (!readFileSync(file, 'utf8').includes(match[2]!)) {
        problems.push(`${fn.key}: ${match[1]}.js does not export ${match[2]}`);
      }
    }
    if (fn.timeoutSeconds < 1 || fn.timeoutSeconds > 900) problems.push(`${fn.key}: timeout must be 1..900 s`);
    if (fn.key === 'callback') {
      // Anyone on the internet can reach the callback: it must never hold what sends messages.
      for (const variable of ['WECHAT_APP_SECRET', 'API_KEYS']) {
        if (fn.environment.includes(variable)) problems.push(`callback: must not get ${variable}`);
      }
    }
    if (fn.asyncRunEnable && fn.retryNum === undefined) {
      problems.push(`${fn.key}: asyncRunEnable without retryNum: tencent-component-toolkit then sets 2 retries`);
    }
  }
  for (const timer of timers) {
    if (!functions[timer.function]) problems.push(`timer ${timer.name}: no function ${timer.function}`);
    if (timer.cron.trim().split(/\s+/).length !== 7) {
      problems.push(`timer ${timer.name}: SCF cron needs 7 fields (second minute hour day month weekday year)`);
    }
    if (!timer.enable) problems.push(`timer ${timer.name}: enable is not true, so the trigger is created closed`);
  }
  const seen = new Set<string>();
  for (const route of routes) {
    const label = `${route.method} ${route.path}`;
    if (seen.has(label)) problems.push(`route ${label} is declared twice`);
    seen.add(label);
    if (!/^(GET|POST|PUT|DELETE|HEAD|ANY)$/.test(route.method)) problems.push(`route ${label}: unknown method`);
    if (!route.integratedResponse) problems.push(`route ${label}: integrated response is off`);
    const fn = route.function ? functions[route.function] : undefined;
    if (!fn) {
      problems.push(`route ${label}: function ${route.functionName || '(none)'} is not deployed by serverless.yml`);
    } else if (route.serviceTimeout < fn.timeoutSeconds) {
      problems.push(
        `route ${label}: serviceTimeout ${route.serviceTimeout} s is under ${fn.key}'s ${fn.timeoutSeconds} s`,
      );
    }
  }
  if (options.routeTable) {
    const tableFunctions = new Set(options.routeTable.map((r) => r.function));
    for (const entry of options.routeTable) {
      const declared = routes.filter((r) => r.method === entry.method && r.path === entry.path);
      if (declared.length === 0) {
        problems.push(
          `route ${entry.method} ${entry.path} of the route table (${entry.function}) ` +
            'is not in api-gateway/serverless.yml',
        );
      } else if (declared.some((r) => r.function !== entry.function)) {
        problems.push(`route ${entry.method} ${entry.path} is bound to another function than ${entry.function}`);
      }
    }
    for (const route of routes) {
      const inTable = options.routeTable.some((e) => e.method === route.method && e.path === route.path);
      if (!inTable && route.function && tableFunctions.has(route.function)) {
        problems.push(`route ${route.method} ${route.path} (${route.function}) is not in the route table`);
      }
    }
  }
  return problems;
}

/** The function folders of the source tree: functions/<name>/index.ts. */
export function functionFolders(root: string): string[] {
  const dir = join(root, 'functions');
  return readdirSync(dir)
    .filter((name) => existsSync(join(dir, name, 'index.ts')))
    .sort();
}

// API Gateway paths match whole segments; a `{name}` segment is a path parameter.
function pathMatches(declared: string, path: string): boolean {
  const source = declared
    .split('/')
    .map((segment) => (/^\{[^/{}]+\}$/.test(segment) ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}$`).test(path);
}

/** Matches one request to its declared route: its path, the method or ANY. */
export function findRoute(routes: Route[], method: string, path: string): Route | undefined {
  const onPath = routes.filter((r) => pathMatches(r.path, path));
  return onPath.find((r) => r.method === method.toUpperCase()) ?? onPath.find((r) => r.method === 'ANY');
}
