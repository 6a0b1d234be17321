import type { AccountSeed, SandboxSeed } from './accounts';
import { DEMO_SEED, cloneSeed } from './accounts';
import type { SandboxClock } from './clock';
import { createClock } from './clock';
import { FaultBook } from './faults';
import type { CallRecord, MassMessage, PushAttempt } from './records';
import { MediaStore } from './media';
import type { Limits } from './quotas';
import { QuotaBook } from './quotas';
import { TokenBook } from './tokens';
import { BulkFollowers } from './bulk-followers';

/** Where MASSSENDJOBFINISH goes. `mode` is the account's message encryption mode (消息加解密方式). */
export type CallbackMode = 'plain' | 'compat' | 'safe';

export interface CallbackConfig {
  url: string;
  token: string;
  encodingAesKey?: string;
  mode?: CallbackMode;
}

export interface SandboxOptions {
  /** 0 picks a free port (default). */
  port?: number;
  host?: string;
  /** The clock in ms; `advance` adds an offset on top of it. */
  now?: () => number;
  tokenTtlSeconds?: number;
  /** How long a send stays SENDING. */
  jobDurationMs?: number;
  limits?: Partial<Limits>;
  callback?: CallbackConfig;
  log?: (line: string) => void;
  seed?: SandboxSeed;
  /** How long a push waits for the callback to answer (WeChat: about 5 s). */
  pushTimeoutMs?: number;
  /** Push attempts in total (WeChat: 3). */
  pushAttempts?: number;
  /** A second send with the same clientmsgid within this window is 45066, later 45065. */
  clientMsgIdRetryWindowMs?: number;
  /** How long a stable token lives on after force_refresh replaced it (default 0). */
  stableRefreshOverlapSeconds?: number;
  /** Without clientmsgid, derive one from audience + content, as WeChat does (default true). */
  deriveClientMsgId?: boolean;
  /** The first msg_id handed out (default 3147483649); a sandbox restarted against a kept
   *  store starts elsewhere so its ids do not collide with recorded reports. */
  firstMsgId?: number;
  /** Accounts with API mass-send protection on: a send to all waits for an administrator. */
  protectedAppids?: string[];
  /** How long a protected send to all waits for the administrator (WeChat: 30 minutes). */
  confirmationWindowMs?: number;
  /** Extra synthetic followers of each service account (`bulkOpenId(i)`), for sends of any size. */
  bulkFollowers?: number;
}

export interface Settings {
  tokenTtlSeconds: number;
  jobDurationMs: number;
  pushTimeoutMs: number;
  pushAttempts: number;
  clientMsgIdRetryWindowMs: number;
  stableRefreshOverlapSeconds: number;
  deriveClientMsgId: boolean;
  confirmationWindowMs: number;
  protectedAppids: readonly string[];
}

export type { Audience, CallRecord, JobCounts, MassMessage, MsgStatus, PushAttempt, PushOutcome } from './records';

export interface SandboxState {
  clock: SandboxClock;
  settings: Settings;
  seed: SandboxSeed;
  accounts: Map<string, AccountSeed>;
  tokens: TokenBook;
  quotas: QuotaBook;
  media: MediaStore;
  faults: FaultBook;
  messages: Map<number, MassMessage>;
  /** Per service account, its synthetic followers (see bulk-followers.ts). */
  bulk: Map<string, BulkFollowers>;
  bulkFollowers: number;
  /** Jobs still SENDING, so finishing due jobs stays cheap under load. */
  sending: Set<MassMessage>;
  /** `${appid}\n${clientmsgid}` → the send that used it. */
  clientMsgIds: Map<string, { msgId: number; at: number }>;
  speeds: Map<string, number>;
  /** Accounts with API mass-send protection on (protection.ts); a reset goes back to the options'. */
  protectedAppids: Set<string>;
  /** How long a protected send to all waits now (POST /__sandbox/protection may change it). */
  confirmationWindowMs: number;
  calls: CallRecord[];
  pushes: PushAttempt[];
  callback: CallbackConfig | undefined;
  nextMsgId: number;
  nextMsgDataId: number;
  nextCallSeq: number;
  log: (line: string) => void;
  timers: Set<NodeJS.Timeout>;
  inflight: Set<Promise<void>>;
  /** Aborts pending pushes when the sandbox closes. */
  closing: AbortController;
}

// msg_id values exceed 2^31 (WeChat's are around 3147494552); clients must keep them exact.
const FIRST_MSG_ID = 3_147_483_649;
const FIRST_MSG_DATA_ID = 2_247_483_649;
// An administrator has 30 minutes to confirm a protected send to all (seed 000, item 8).
const CONFIRMATION_WINDOW_MS = 30 * 60_000;

export function createState(options: SandboxOptions): SandboxState {
  const clock = createClock(options.now);
  const settings: Settings = {
    tokenTtlSeconds: options.tokenTtlSeconds ?? 7200,
    jobDurationMs: options.jobDurationMs ?? 1500,
    pushTimeoutMs: options.pushTimeoutMs ?? 5000,
    pushAttempts: options.pushAttempts ?? 3,
    clientMsgIdRetryWindowMs: options.clientMsgIdRetryWindowMs ?? 60_000,
    stableRefreshOverlapSeconds: options.stableRefreshOverlapSeconds ?? 0,
    deriveClientMsgId: options.deriveClientMsgId ?? true,
    confirmationWindowMs: options.confirmationWindowMs ?? CONFIRMATION_WINDOW_MS,
    protectedAppids: options.protectedAppids ?? [],
  };
  const limits: Limits = { perMinute: true, daily: true, monthly: true, ...options.limits };
  const seed = cloneSeed(options.seed ?? DEMO_SEED);
  const state: SandboxState = {
    clock,
    settings,
    seed,
    accounts: new Map(),
    tokens: new TokenBook(clock, {
      ttlSeconds: settings.tokenTtlSeconds,
      stableOverlapSeconds: settings.stableRefreshOverlapSeconds,
    }),
    quotas: new QuotaBook(clock, limits),
    media: new MediaStore(clock),
    faults: new FaultBook(),
    messages: new Map(),
    bulk: new Map(),
    bulkFollowers: options.bulkFollowers ?? 0,
    sending: new Set(),
    clientMsgIds: new Map(),
    speeds: new Map(),
    protectedAppids: new Set(),
    confirmationWindowMs: settings.confirmationWindowMs,
    calls: [],
    pushes: [],
    callback: options.callback,
    nextMsgId: options.firstMsgId ?? FIRST_MSG_ID,
    nextMsgDataId: FIRST_MSG_DATA_ID,
    nextCallSeq: 1,
    log: options.log ?? ((line) => console.log(line)),
    timers: new Set(),
    inflight: new Set(),
    closing: new AbortController(),
  };
  resetState(state);
  return state;
}

/**
 * Back to the seed: clears tokens, sends, records, quotas, faults and uploads; keeps the callback, limits and
 * clock.
 */
export function resetState(state: SandboxState): void {
  for (const timer of state.timers) clearTimeout(timer);
  state.timers.clear();
  state.accounts = new Map(cloneSeed(state.seed).accounts.map((a) => [a.appid, a]));
  state.tokens.clear();
  state.quotas.clear();
  state.media.clear();
  state.media.seed([...state.accounts.values()]);
  state.faults.clear();
  state.messages.clear();
  state.bulk = new Map(
    state.bulkFollowers > 0
      ? [...state.accounts.values()]
          .filter((a) => a.type === 'service')
          .map((a) => [a.appid, new BulkFollowers(state.bulkFollowers)])
      : [],
  );
  state.sending.clear();
  state.clientMsgIds.clear();
  state.speeds.clear();
  state.protectedAppids = new Set(state.settings.protectedAppids);
  state.confirmationWindowMs = state.settings.confirmationWindowMs;
  state.calls.length = 0;
  state.pushes.length = 0;
}

// Call and push records are capped so a long benchmark run does not grow without bound.
const MAX_RECORDS = 10_000;

export function keepRecord<T>(records: T[], record: T): void {
  records.push(record);
  if (records.length > MAX_RECORDS) records.splice(0, records.length - MAX_RECORDS);
}

/** AppIDs are not secret, but a short form keeps log lines readable. */
export function shortAppid(appid: string | undefined): string {
  if (appid === undefined) return '-';
  return appid.length > 8 ? `${appid.slice(0, 4)}…${appid.slice(-4)}` : appid;
}
