import { WeChatError } from './errors';
import { endJob, scheduleJob } from './jobs';
import type { MassMessage, SandboxState } from './state';

/**
 * API mass-send protection (API群发保护, 设置-安全中心-风险操作保护): on a protected account a
 * send to all followers waits for an administrator, who confirms it in WeChat within 30
 * minutes; a rejection or no answer fails the job (seed 000, item 8). The push then carries
 * Status err(40001) (rejected) or err(40002) (not confirmed in time).
 *
 * Our choices where WeChat's documentation is silent: the first call answers 89504 without a
 * msg_id; a repeated call with the same clientmsgid while the administrator has not decided
 * answers 89505; once decided, the clientmsgid answers 45065 with the job's msg_id like any
 * other repeated send. mass/get shows SENDING while the job waits.
 */
export type ConfirmationState = 'awaiting' | 'confirmed' | 'rejected' | 'expired';

export interface Confirmation {
  state: ConfirmationState;
  /** When an undecided send fails with err(40002). */
  deadline: number;
}

export function isProtected(state: SandboxState, appid: string): boolean {
  return state.protectedAppids.has(appid);
}

/** Puts a just-submitted send to all on hold; the caller then answers 89504. */
export function holdForConfirmation(state: SandboxState, message: MassMessage): void {
  const deadline = state.clock.now() + state.confirmationWindowMs;
  message.confirmation = { state: 'awaiting', deadline };
  message.finishAt = deadline;
  // finishDueJobs fails it with err(40002) once the deadline has passed.
  scheduleJob(state, state.confirmationWindowMs);
}

export function isAwaiting(message: MassMessage | undefined): boolean {
  return message?.confirmation?.state === 'awaiting';
}

export interface Decision {
  msgId?: number;
  clientMsgId?: string;
  decision: 'confirm' | 'reject';
}

/** The administrator's answer in WeChat: confirm starts the job, reject fails it with err(40001). */
/** The administrator's answer; undefined when no send with this msgId or clientMsgId waits. */
export function decide(state: SandboxState, { msgId, clientMsgId, decision }: Decision): MassMessage | undefined {
  if (msgId === undefined && clientMsgId === undefined) return undefined;
  const message = [...state.sending].find(
    (m) =>
      isAwaiting(m) &&
      (msgId === undefined || m.msgId === msgId) &&
      (clientMsgId === undefined || m.clientMsgId === clientMsgId),
  );
  if (!message) return undefined;
  if (decision === 'reject') {
    message.confirmation = { ...message.confirmation!, state: 'rejected' };
    endJob(state, message, 'err(40001)');
    return message;
  }
  const now = state.clock.now();
  message.confirmation = { state: 'confirmed', deadline: message.confirmation!.deadline };
  message.finishAt = now + state.settings.jobDurationMs;
  scheduleJob(state);
  return message;
}

/** A repeated clientmsgid of a send still on hold: 89505, nothing new is queued. */
export function refuseWhileAwaiting(state: SandboxState, msgId: number): void {
  if (isAwaiting(state.messages.get(msgId))) throw new WeChatError(89505, 'clientmsgid waits for confirmation');
}
