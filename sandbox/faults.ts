/**
 * Fault injection for the reliability suite: the next `times` calls to `path` fail the
 * chosen way. Faults on one path are used in the order they were added.
 * - http500: answer HTTP 500 (the call is not executed unless `execute: true`).
 * - timeout: hold the response for `delayMs` (default 30 s) or until the client gives up.
 *   By default the call IS executed first, like a send WeChat accepted whose answer was lost,
 *   so a retry with the same clientmsgid meets 45065/45066. `execute: false` drops it instead.
 * - errcode: answer `{errcode, errmsg}` without executing. 40001/40014/42001 also revoke the
 *   token the call presented, as when another caller refreshed it while this one was in flight.
 *   45065 carries `msg_id` (the fault's `msgId`, else the account's latest send).
 * - jobStatus: the call runs normally, but the job it creates ends with `status` (e.g.
 *   "send fail", "err(30003)"), msg_status SEND_FAIL.
 * - dropPush: the call runs normally, but its MASSSENDJOBFINISH push is never sent (WeChat
 *   does lose some), so `mass/get` is the only way to learn the outcome.
 */
export type FaultKind = 'http500' | 'timeout' | 'errcode' | 'jobStatus' | 'dropPush';

export interface FaultSpec {
  /** A path such as `/cgi-bin/message/mass/sendall`, or `*` for every WeChat path. */
  path: string;
  kind: FaultKind;
  times?: number;
  errcode?: number;
  delayMs?: number;
  execute?: boolean;
  status?: string;
  msgId?: number;
}

export interface Fault extends FaultSpec {
  id: number;
  remaining: number;
}

export class FaultBook {
  private faults: Fault[] = [];
  private nextId = 1;

  add(spec: FaultSpec): Fault {
    const fault: Fault = { ...spec, id: this.nextId++, remaining: spec.times ?? 1 };
    this.faults.push(fault);
    return fault;
  }

  /** Takes one use of the first fault matching `path`, if any. */
  take(path: string): Fault | undefined {
    const fault = this.faults.find((f) => f.remaining > 0 && (f.path === path || f.path === '*'));
    if (!fault) return undefined;
    fault.remaining -= 1;
    this.faults = this.faults.filter((f) => f.remaining > 0);
    return { ...fault };
  }

  list(): Fault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  clear(): void {
    this.faults = [];
  }
}
