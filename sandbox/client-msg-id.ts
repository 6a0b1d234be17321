import { createHash } from 'node:crypto';
import { WeChatError } from './errors';
import { refuseWhileAwaiting } from './protection';
import type { MassContent } from './message-content';
import type { Audience, SandboxState } from './state';

/**
 * clientmsgid (≤ 64 bytes, else 45067): WeChat refuses a second send with the same id within
 * 24 h. Our choice for the two refusals: within `clientMsgIdRetryWindowMs` of the first send
 * (default 60 s, WeChat's "retry after a minute") → 45066; later within 24 h → 45065 with the
 * existing `msg_id` in the body. Without clientmsgid WeChat uses a digest of audience +
 * content, so an identical re-send is blocked too (switch off with `deriveClientMsgId: false`).
 */
const REMEMBER_MS = 24 * 3_600_000;
const MAX_BYTES = 64;

export function parseClientMsgId(body: Record<string, unknown>): string | undefined {
  const value = body.clientmsgid;
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new WeChatError(40097, 'clientmsgid');
  if (Buffer.byteLength(value, 'utf8') > MAX_BYTES) throw new WeChatError(45067, 'clientmsgid');
  return value;
}

export function deriveClientMsgId(audience: Audience, content: MassContent): string {
  return `digest:${createHash('sha1').update(JSON.stringify({ audience, content })).digest('hex')}`;
}

function key(appid: string, clientMsgId: string): string {
  return `${appid}\n${clientMsgId}`;
}

export function checkClientMsgId(state: SandboxState, appid: string, clientMsgId: string): void {
  const prior = state.clientMsgIds.get(key(appid, clientMsgId));
  if (!prior) return;
  const age = state.clock.now() - prior.at;
  if (age >= REMEMBER_MS) return;
  refuseWhileAwaiting(state, prior.msgId);
  if (age < state.settings.clientMsgIdRetryWindowMs) throw new WeChatError(45066, 'clientmsgid');
  throw new WeChatError(45065, 'clientmsgid', { msg_id: prior.msgId });
}

export function rememberClientMsgId(state: SandboxState, appid: string, clientMsgId: string, msgId: number): void {
  state.clientMsgIds.set(key(appid, clientMsgId), { msgId, at: state.clock.now() });
}
