import type { IncomingHttpHeaders } from 'node:http';
import type { AccountSeed } from './accounts';
import type { Fault } from './faults';
import type { SandboxState } from './state';

/** What a WeChat endpoint handler receives. The router has parsed the body and checked the token. */
export interface ApiRequest {
  state: SandboxState;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The JSON body for JSON routes (always an object there), else undefined. */
  body: Record<string, unknown>;
  raw: Buffer;
  /** A jobStatus / dropPush fault that applies to the job this call creates. */
  jobFault?: Fault;
  /** Extra words for the log line, e.g. `msg_id=…`; never a secret. */
  notes: string[];
  /** The appid the call acts for, once known (for the call record and the log). */
  caller?: string;
}

export interface AuthedRequest extends ApiRequest {
  appid: string;
  account: AccountSeed;
}

export type ApiBody = Record<string, unknown>;
