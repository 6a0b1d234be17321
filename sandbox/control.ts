import { z } from 'zod';
import type { Fault, FaultSpec } from './faults';
import { finishDueJobs, waitForPushes } from './jobs';
import { isValidEncodingAesKey } from './push-crypto';
import type { Limits } from './quotas';
import type { CallRecord, CallbackConfig, MassMessage, PushAttempt, SandboxState } from './state';
import { resetState } from './state';

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
  injectFault(spec: FaultSpec): Fault;
  clearFaults(): void;
  faults(): Fault[];
  state(): SandboxSnapshot;
  calls(): CallRecord[];
  messages(): MassMessage[];
  pushes(): PushAttempt[];
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
    injectFault: (spec) => state.faults.add(FaultSpecSchema.parse(spec)),
    clearFaults: () => state.faults.clear(),
    faults: () => state.faults.list(),
    state: () => snapshot(state),
    calls: () => state.calls.map((c) => ({ ...c })),
    messages: () => [...state.messages.values()].map((m) => structuredClone(m)),
    pushes: () => state.pushes.map((p) => ({ ...p })),
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
