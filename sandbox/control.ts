import { z } from 'zod';
import type { Fault, FaultSpec } from './faults';
import { finishDueJobs, waitForPushes } from './jobs';
import { isValidEncodingAesKey } from './push-crypto';
import type { Limits } from './quotas';
import type { CallRecord, CallbackConfig, MassMessage, PushAttempt, SandboxState } from './state';
import { resetState } from './state';
import { decide, isAwaiting } from './protection';

/**
 * Inspection and control of the sandbox, shared by the `/__sandbox/*` routes and the
 * programmatic `Sandbox` object. Nothing here ever returns an AppSecret, an access token,
 * the callback Token or the EncodingAESKey.
 */
export const CallbackConfigSchema = z
  .object({
    url: z.url({ protocol: /^https?$/ }),
    token: z.string().min(1),
    encodingAesKey: z.string().optional(),
    mode: z.enum(['plain', 'compat', 'safe']).optional(),
  })
  .refine(
    (c) =>
      (c.mode ?? 'plain') === 'plain' || (c.encodingAesKey !== undefined && isValidEncodingAesKey(c.encodingAesKey)),
    {
      message: 'compat and safe mode need a 43-character encodingAesKey',
      path: ['encodingAesKey'],
    },
  );

export const FaultSpecSchema = z
  .object({
    path: z.string().min(1),
    kind: z.enum(['http500', 'timeout', 'errcode', 'jobStatus', 'dropPush']),
    times: z.number().int().positive().optional(),
    errcode: z.number().int().optional(),
    delayMs: z.number().int().nonnegative().optional(),
    execute: z.boolean().optional(),
    status: z.string().min(1).optional(),
    msgId: z.number().int().optional(),
  })
  .refine((f) => f.kind !== 'errcode' || f.errcode !== undefined, {
    message: 'kind errcode needs an errcode',
    path: ['errcode'],
  });

export const ProtectionSchema = z.object({
  on: z.boolean(),
  /** Default: every account. */
  appid: z.string().min(1).optional(),
  /** How long an administrator has from now on (default: the option, WeChat's 30 minutes). */
  confirmationWindowMs: z.number().int().positive().optional(),
});

export const DecisionSchema = z
  .object({
    msgId: z.number().int().optional(),
    clientMsgId: z.string().min(1).optional(),
    decision: z.enum(['confirm', 'reject']).optional(),
  })
  .refine((d) => d.msgId !== undefined || d.clientMsgId !== undefined, {
    message: 'name the send by msgId or clientMsgId',
    path: ['msgId'],
  });

export interface AwaitingSend {
  msgId: number;
  appid: string;
  clientMsgId?: string;
  deadline: number;
}

export const LimitsSchema = z.object({
  perMinute: z.boolean().optional(),
  daily: z.boolean().optional(),
  monthly: z.boolean().optional(),
});

export interface SandboxSnapshot {
  now: number;
  accounts: Array<{
    appid: string;
    type: string;
    name: string;
    ghId: string;
    followers: string[];
    tags: Array<{ id: number; name: string; members: string[] }>;
    wxnames: Record<string, string>;
    cardIds: string[];
    speed: number;
    /** API mass-send protection: a send to all waits for an administrator. */
    massSendProtection: boolean;
  }>;
  /** Every media id: seeded, uploaded (permanent or temporary), uploadnews/uploadvideo and drafts. */
  media: Array<{
    mediaId: string;
    appid: string;
    type: string;
    origin: string;
    createdAt: number;
    expiresAt?: number;
    name?: string;
    bytes?: number;
    format?: string;
    url?: string;
    title?: string;
    articles?: Array<{ title: string; thumbMediaId: string; needOpenComment?: 0 | 1; onlyFansCanComment?: 0 | 1 }>;
    sentAt?: number;
  }>;
  uploadedImages: Array<{ appid: string; url: string; bytes: number }>;
  limits: Limits;
  callback: { url: string; mode: string; hasToken: boolean; hasEncodingAesKey: boolean } | null;
}

export interface SandboxControl {
  /** Back to the seed; keeps the callback, limits and clock. */
  reset(): void;
  /** Moves sandbox time forward and finishes the jobs that become due; returns the new now. */
  advanceClock(ms: number): number;
  now(): number;
  /** Finishes every SENDING job now and starts its push; returns their msg_ids. */
  finishJobs(): number[];
  /** Resolves when every push started so far is delivered or out of attempts. */
  waitForPushes(): Promise<void>;
  setCallback(config: CallbackConfig | undefined): void;
  setLimits(limits: Partial<Limits>): Limits;
  /** Turns API mass-send protection on or off for one account (default: every account). */
  setProtection(on: boolean, appid?: string, confirmationWindowMs?: number): string[];
  /** Sends to all that wait for an administrator. */
  awaitingConfirmation(): AwaitingSend[];
  /**
   * The administrator's decision (default confirm); returns the send, or undefined when no
   * send with this msgId or clientMsgId waits.
   */
  decide(decision: z.input<typeof DecisionSchema>): AwaitingSend | undefined;
  injectFault(spec: FaultSpec): Fault;
  clearFaults(): void;
  faults(): Fault[];
  state(): SandboxSnapshot;
  calls(): CallRecord[];
  messages(): MassMessage[];
  pushes(): PushAttempt[];
  /** How often each synthetic follower of `appid` has received a mass message (bulk-followers.ts). */
  bulkDeliveries(appid: string): Uint8Array | undefined;
  /** The same in short: how many synthetic followers got 0, 1 and more messages. */
  bulkSummary(appid: string): { count: number; never: number; once: number; more: number } | undefined;
}

export function createControl(state: SandboxState): SandboxControl {
  return {
    reset: () => resetState(state),
    advanceClock(ms) {
      const now = state.clock.advance(ms);
      finishDueJobs(state);
      return now;
    },
    now: () => state.clock.now(),
    finishJobs: () => finishDueJobs(state, true).map((m) => m.msgId),
    waitForPushes: () => waitForPushes(state),
    setCallback(config) {
      state.callback = config === undefined ? undefined : CallbackConfigSchema.parse(config);
    },
    setLimits(limits) {
      Object.assign(state.quotas.limits, LimitsSchema.parse(limits));
      return { ...state.quotas.limits };
    },
    setProtection(on, appid, confirmationWindowMs) {
      const { appid: only, confirmationWindowMs: window } = ProtectionSchema.parse({ on, appid, confirmationWindowMs });
      if (window !== undefined) state.confirmationWindowMs = window;
      for (const id of only === undefined ? state.accounts.keys() : [only]) {
        if (on) state.protectedAppids.add(id);
        else state.protectedAppids.delete(id);
      }
      return [...state.protectedAppids];
    },
    awaitingConfirmation: () => [...state.sending].filter(isAwaiting).map(awaitingSend),
    decide(input) {
      const { decision = 'confirm', ...which } = DecisionSchema.parse(input);
      const message = decide(state, { ...which, decision });
      return message && awaitingSend(message);
    },
    injectFault: (spec) => state.faults.add(FaultSpecSchema.parse(spec)),
    clearFaults: () => state.faults.clear(),
    faults: () => state.faults.list(),
    state: () => snapshot(state),
    calls: () => state.calls.map((c) => ({ ...c })),
    messages: () => [...state.messages.values()].map((m) => structuredClone(m)),
    pushes: () => state.pushes.map((p) => ({ ...p })),
    bulkDeliveries: (appid) => state.bulk.get(appid)?.delivered,
    bulkSummary(appid) {
      const delivered = state.bulk.get(appid)?.delivered;
      if (!delivered) return undefined;
      const summary = { count: delivered.length, never: 0, once: 0, more: 0 };
      for (const n of delivered) {
        if (n === 0) summary.never += 1;
        else if (n === 1) summary.once += 1;
        else summary.more += 1;
      }
      return summary;
    },
  };
}

function awaitingSend(m: MassMessage): AwaitingSend {
  return {
    msgId: m.msgId,
    appid: m.appid,
    ...(m.clientMsgIdDerived || m.clientMsgId === undefined ? {} : { clientMsgId: m.clientMsgId }),
    deadline: m.confirmation?.deadline ?? m.finishAt,
  };
}

function snapshot(state: SandboxState): SandboxSnapshot {
  const { callback } = state;
  return {
    now: state.clock.now(),
    accounts: [...state.accounts.values()].map((a) => ({
      appid: a.appid,
      type: a.type,
      name: a.name,
      ghId: a.ghId,
      followers: a.followers,
      tags: a.tags,
      wxnames: a.wxnames,
      cardIds: a.cardIds,
      speed: state.speeds.get(a.appid) ?? 0,
      massSendProtection: state.protectedAppids.has(a.appid),
    })),
    media: state.media.list().map((r) => ({
      mediaId: r.mediaId,
      appid: r.appid,
      type: r.type,
      origin: r.origin,
      createdAt: r.createdAt,
      ...(r.expiresAt === undefined ? {} : { expiresAt: r.expiresAt }),
      ...(r.name === undefined ? {} : { name: r.name, bytes: r.bytes, format: r.format }),
      ...(r.url === undefined ? {} : { url: r.url }),
      ...(r.title === undefined ? {} : { title: r.title }),
      ...(r.articles === undefined
        ? {}
        : {
            articles: r.articles.map((a) => ({
              title: a.title,
              thumbMediaId: a.thumbMediaId,
              ...(a.needOpenComment === undefined ? {} : { needOpenComment: a.needOpenComment }),
              ...(a.onlyFansCanComment === undefined ? {} : { onlyFansCanComment: a.onlyFansCanComment }),
            })),
          }),
      ...(r.sentAt === undefined ? {} : { sentAt: r.sentAt }),
    })),
    uploadedImages: state.media.images.map(({ appid, url, bytes }) => ({ appid, url, bytes })),
    limits: { ...state.quotas.limits },
    callback: callback
      ? {
          url: callback.url,
          mode: callback.mode ?? 'plain',
          hasToken: callback.token !== '',
          hasEncodingAesKey: callback.encodingAesKey !== undefined,
        }
      : null,
  };
}
