import { loadLazily } from '../runtime/load-lazily';
import type { Logger } from '../log';

type ScfClient = InstanceType<typeof import('tencentcloud-sdk-nodejs-scf')['scf']['v20180416']['Client']>;

/**
 * Hands a started job to the dispatcher function at once, instead of waiting for its timer
 * (every minute): SCF's Invoke API with InvocationType "Event" (asynchronous; SCF answers as
 * soon as it has queued the event). The request shape is tencentcloud-sdk-nodejs's
 * `InvokeRequest` (src/services/scf/v20180416/scf_models.ts: FunctionName, InvocationType,
 * Qualifier, ClientContext, LogType, Namespace, RoutingKey), sent by `Client.Invoke`
 * (scf_client.ts: `this.request("Invoke", req)`, service scf.tencentcloudapi.com, version
 * 2018-04-16). ClientContext becomes the function's event; an asynchronous one may hold at most
 * 128 KB, so the payload is the job id only.
 *
 * The SDK (tencentcloud-sdk-nodejs-scf, with its own HTTP stack) is imported on the first
 * hand-off only: a function that never hands off never evaluates it. The credentials are the
 * function role's temporary ones, which SCF puts in TENCENTCLOUD_SECRETID / SECRETKEY /
 * SESSIONTOKEN. Under `npm start` the local gateway answers the same API at SCF_API_ENDPOINT.
 */
export interface HandOff {
  /** Never throws: the timer picks the job up within a minute if the hand-off fails. */
  handOff(jobId: string): Promise<boolean>;
}

export interface ScfHandOffOptions {
  functionName: string;
  namespace: string;
  region: string;
  /** `https://scf.tencentcloudapi.com` in the cloud; the local gateway's URL under npm start. */
  endpoint: string;
  credentials: { secretId: string; secretKey: string; token?: string };
  log: Logger;
}

export const DEFAULT_SCF_ENDPOINT = 'https://scf.tencentcloudapi.com';

export function createScfHandOff(options: ScfHandOffOptions): HandOff {
  let client: Promise<ScfClient> | undefined;
  const load = () =>
    (client ??= loadLazily(
      () => require('tencentcloud-sdk-nodejs-scf') as typeof import('tencentcloud-sdk-nodejs-scf'),
      () => import('tencentcloud-sdk-nodejs-scf'),
    ).then((sdk) => {
      // The CommonJS SDK arrives as itself when required (the bundles) and as `default` via import().
      const { scf } = ((sdk as unknown as { default?: typeof sdk }).default ?? sdk) as typeof sdk;
      const url = new URL(options.endpoint);
      return new scf.v20180416.Client({
        credential: options.credentials,
        region: options.region,
        profile: { httpProfile: { endpoint: url.host, protocol: `${url.protocol}//`, reqTimeout: 5 } },
      });
    }));
  return {
    async handOff(jobId) {
      try {
        const scf = await load();
        const reply = await scf.Invoke({
          FunctionName: options.functionName,
          Namespace: options.namespace,
          InvocationType: 'Event',
          ClientContext: JSON.stringify({ jobId }),
        });
        options.log.info('job handed to the dispatcher', { jobId, requestId: reply.RequestId });
        return true;
      } catch (err) {
        options.log.warn('could not hand the job to the dispatcher; its timer will pick it up', { jobId, err });
        return false;
      }
    },
  };
}

/** Without a dispatcher function configured, the timer alone runs jobs. */
export const noHandOff: HandOff = { handOff: async () => false };
