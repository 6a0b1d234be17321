import { deliverPush } from './push';
import type { MassMessage, SandboxState } from './state';

/**
 * A mass send is a job: SENDING for `jobDurationMs` of sandbox time, then SEND_SUCCESS (or
 * SEND_FAIL when a fault says so), then the MASSSENDJOBFINISH push. A timer finishes jobs in
 * real time; every request and every clock advance also finishes the jobs that are due, so an
 * injected clock works without timers.
 */
export function track(state: SandboxState, work: Promise<void>): void {
  const tracked = work.catch((error: unknown) => state.log(`sandbox: push failed unexpectedly: ${String(error)}`));
  state.inflight.add(tracked);
  void tracked.finally(() => state.inflight.delete(tracked));
}

export function scheduleJob(state: SandboxState, afterMs = state.settings.jobDurationMs): void {
  const timer = setTimeout(() => {
    state.timers.delete(timer);
    finishDueJobs(state);
  }, afterMs + 5);
  state.timers.add(timer);
}

// The push's Status as WeChat or an SDK may spell it: "send success" or "sendsuccess".
function isSuccessStatus(status: string): boolean {
  return status.replace(/\s+/g, '').toLowerCase() === 'sendsuccess';
}

/**
 * Every due job finishes (`all`: every job now). A send to all that waits for an administrator
 * (protection.ts) is not finished by `all`: it ends when confirmed and done, rejected, or when
 * its 30 minutes run out (err(40002)).
 */
export function finishDueJobs(state: SandboxState, all = false): MassMessage[] {
  const now = state.clock.now();
  const finished: MassMessage[] = [];
  for (const msg of state.sending) {
    const awaiting = msg.confirmation?.state === 'awaiting';
    if (awaiting && msg.confirmation!.deadline <= now) {
      endJob(state, msg, 'err(40002)');
      msg.confirmation = { ...msg.confirmation!, state: 'expired' };
      finished.push(msg);
      continue;
    }
    if (awaiting || (!all && msg.finishAt > now)) continue;
    endJob(state, msg, msg.pushStatus);
    finished.push(msg);
  }
  return finished;
}

/** Ends a job with the push's `pushStatus`: SEND_SUCCESS, or SEND_FAIL with nobody reached. */
export function endJob(state: SandboxState, msg: MassMessage, pushStatus: string): void {
  const now = state.clock.now();
  state.sending.delete(msg);
  msg.finishedAt = now;
  msg.pushStatus = pushStatus;
  if (isSuccessStatus(pushStatus)) {
    msg.status = 'SEND_SUCCESS';
  } else {
    msg.status = 'SEND_FAIL';
    msg.counts = { ...msg.counts, sent: 0, error: msg.counts.filter };
  }
  if (msg.endpoint !== 'preview') track(state, deliverPush(state, msg, !msg.pushEnabled));
}

/** Resolves once every push started so far has succeeded or used up its attempts. */
export async function waitForPushes(state: SandboxState): Promise<void> {
  while (state.inflight.size > 0) await Promise.allSettled([...state.inflight]);
}
