import { createRequire } from 'node:module';
import type { Deployment } from '../../local/deployment';

/**
 * Drives tencent-component-toolkit (the library the multi-scf and apigateway components call)
 * with its cloud API client stubbed: `Capi.prototype.request` answers like the Tencent Cloud API
 * would for an empty account and records every request. What is recorded is what
 * `serverless deploy` would send to SCF and API Gateway for our deployment files.
 */

const require = createRequire(import.meta.url);

export interface CloudRequest {
  service: string;
  Action: string;
  [field: string]: unknown;
}

type Capi = { options: { ServiceType: string }; request(data: Record<string, unknown>): Promise<unknown> };

function fakeAnswer(data: Record<string, unknown>, created: Set<string>, count: number) {
  const ok = (fields: Record<string, unknown>) => ({ Response: { RequestId: `req-${count}`, ...fields } });
  switch (data.Action) {
    case 'GetFunction': {
      if (!created.has(String(data.FunctionName))) {
        throw Object.assign(new Error('ResourceNotFound.Function'), { code: 'ResourceNotFound.Function' });
      }
      return ok({ FunctionName: data.FunctionName, Status: 'Active', Namespace: 'default', Qualifier: '$LATEST' });
    }
    case 'CreateFunction':
      created.add(String(data.FunctionName));
      return ok({});
    case 'CreateTrigger':
      return ok({ TriggerInfo: { ...data, Enable: data.Enable === 'OPEN' ? 1 : 0, CustomArgument: '' } });
    case 'ListTriggers':
      return ok({ Triggers: [], TotalCount: 0 });
    case 'CreateService':
      return ok({
        ServiceId: 'service-recorded',
        ServiceName: data.ServiceName,
        OuterSubDomain: 'service-recorded.apigw',
      });
    case 'DescribeApisStatus':
      return ok({ Result: { TotalCount: 0, ApiIdStatusSet: [] } });
    case 'CreateApi':
      return ok({ Result: { ApiId: `api-${count}` } });
    case 'DescribeApi':
      return ok({ Result: { ApiId: data.ApiId, InternalDomain: '' } });
    default:
      return ok({ Result: {} });
  }
}

/** Deploys `deployment` through the toolkit against the recorder; returns the requests in order. */
export async function recordCloudRequests(deployment: Deployment, region = 'ap-guangzhou'): Promise<CloudRequest[]> {
  const { Capi } = require('@tencent-sdk/capi') as { Capi: { prototype: Capi } };
  const toolkit = require('tencent-component-toolkit') as {
    Scf: new (credentials: object, region: string) => { deploy(inputs: object): Promise<unknown> };
    TriggerManager: new (
      credentials: object,
      region: string,
    ) => { bulkCreateTriggers(inputs: object[]): Promise<unknown> };
    Apigw: new (credentials: object, region: string) => { deploy(inputs: object): Promise<unknown> };
  };
  const requests: CloudRequest[] = [];
  const created = new Set<string>();
  const original = Capi.prototype.request;
  const originalLog = console.log;
  Capi.prototype.request = async function (this: Capi, data: Record<string, unknown>) {
    requests.push({ service: this.options.ServiceType, ...(data as { Action: string }) });
    return fakeAnswer(data, created, requests.length);
  };
  console.log = () => {}; // the toolkit narrates every step
  try {
    const credentials = { SecretId: 'recorder', SecretKey: 'recorder' };
    const scf = new toolkit.Scf(credentials, region);
    // multi-scf: upload the code, then deploy each function in turn (src/index.ts bulkDeployFaas).
    for (const fn of Object.values(deployment.functions)) {
      await scf.deploy({
        ...structuredClone(fn.scfInputs),
        code: { bucket: 'sls-cloudfunction-code', object: 'dist.zip' },
      });
    }
    const functionName = (key: string) => deployment.functions[key]?.name ?? key;
    await new toolkit.TriggerManager(credentials, region).bulkCreateTriggers(
      deployment.timers.map((t) => ({
        type: 'timer',
        namespace: 'default',
        function: { name: functionName(t.function) },
        parameters: { name: t.name, cronExpression: t.cron, enable: t.enable, argument: t.argument },
      })),
    );
    // apigateway component: src/serverless.js hands its inputs to Apigw.deploy.
    await new toolkit.Apigw(credentials, region).deploy({
      ...structuredClone(deployment.apiGatewayInputs),
      oldState: {},
    });
  } finally {
    Capi.prototype.request = original;
    console.log = originalLog;
  }
  return requests;
}
