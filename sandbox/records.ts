import type { MassContent } from './message-content';
import type { Confirmation } from './protection';
import type { CallbackMode } from './state';

/** What the sandbox remembers about sends, calls and pushes; all of it is visible under /__sandbox. */
export type Audience =
  | { type: 'all' }
  | { type: 'tag'; tagId: number }
  /** A long list is recorded as its first 100 OpenIDs and `total`. */
  | { type: 'openids'; openids: string[]; total?: number }
  | { type: 'preview'; openid: string; towxname?: string };

export type MsgStatus = 'SENDING' | 'SEND_SUCCESS' | 'SEND_FAIL' | 'DELETE';

export interface JobCounts {
  total: number;
  filter: number;
  sent: number;
  error: number;
}

export interface MassMessage {
  msgId: number;
  msgDataId?: number;
  appid: string;
  endpoint: 'sendall' | 'send' | 'preview';
  audience: Audience;
  content: MassContent;
  clientMsgId?: string;
  clientMsgIdDerived: boolean;
  status: MsgStatus;
  createdAt: number;
  finishAt: number;
  finishedAt?: number;
  counts: JobCounts;
  /** The push's Status: "send success", "send fail" or "err(N)". */
  pushStatus: string;
  pushEnabled: boolean;
  articleUrls: string[];
  deletedArticles: number[];
  /** A send to all on an account with API mass-send protection (protection.ts). */
  confirmation?: Confirmation;
}

export interface CallRecord {
  seq: number;
  at: number;
  method: string;
  path: string;
  appid?: string;
  errcode: number;
  httpStatus: number;
  fault?: string;
  durationMs: number;
  note?: string;
}

export type PushOutcome = 'delivered' | 'http-error' | 'timeout' | 'network-error' | 'no-callback' | 'dropped';

export interface PushAttempt {
  msgId: number;
  appid: string;
  attempt: number;
  at: number;
  url?: string;
  mode?: CallbackMode;
  outcome: PushOutcome;
  httpStatus?: number;
  durationMs: number;
  /** The plaintext MASSSENDJOBFINISH XML (it holds no secret). */
  xml: string;
}
