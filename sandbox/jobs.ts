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

export function scheduleJob(state: SandboxState): void {
  const timer = setTimeout(() => {
    state.timers.delete(timer);
    finishDueJobs(state);
  }, state.settings.jobDurationMs + 5);
  state.timers.add(timer);
}

export function finishDueJobs(state: SandboxState, all = false): MassMessage[] {
  const now = state.clock.now();
  const finished: MassMessage[] = [];
  for (const msg of state.sending) {
    if (!all && msg.finishAt > now) continue;
    state.sending.delete(msg);
    msg.finishedAt = now;
    if (msg.pushStatus === 'send success') {
      msg.status = 'SEND_SUCCESS';
    } else {
      msg.status = 'SEND_FAIL';
      msg.counts = { ...msg.counts, sent: 0, error: msg.counts.filter };
    }
    finished.push(msg);
    if (msg.endpoint !== 'preview') track(state, deliverPush(state, msg, !msg.pushEnabled));
  }
  return finished;
}

/** Resolves once every push started so far has succeeded or used up its attempts. */
export async function waitForPushes(state: SandboxState): Promise<void> {
  while (state.inflight.size > 0) await Promise.allSettled([...state.inflight]);
}
