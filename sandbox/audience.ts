import type { AccountSeed } from './accounts';
import type { BulkFollowers } from './bulk-followers';
import { WeChatError } from './errors';
import { isRecord } from './message-content';
import type { Audience } from './state';

/**
 * Who a mass send reaches. sendall takes `filter {is_to_all, tag_id}` (is_to_all must be a
 * JSON boolean: a string is 40008); send takes `touser`, 2 to 10,000 OpenIDs (40130).
 * Our choice for unknown OpenIDs in `touser`: they are filtered out of the job (counted in
 * TotalCount, not in FilterCount); only a list with no follower at all is refused with 40003.
 */
const MIN_TOUSER = 2;
const MAX_TOUSER = 10_000;

function parseTagId(value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  throw new WeChatError(40152, 'filter.tag_id');
}

export function parseTagAudience(body: Record<string, unknown>, account: AccountSeed): Audience {
  const { filter } = body;
  if (!isRecord(filter)) throw new WeChatError(40008, 'filter');
  const isToAll = filter.is_to_all ?? false;
  if (typeof isToAll !== 'boolean') throw new WeChatError(40008, 'filter.is_to_all');
  if (isToAll) return { type: 'all' };
  const tagId = parseTagId(filter.tag_id);
  if (!account.tags.some((tag) => tag.id === tagId)) throw new WeChatError(40152, 'filter.tag_id');
  return { type: 'tag', tagId };
}

export function parseOpenIdAudience(body: Record<string, unknown>): Audience {
  const { touser } = body;
  if (!Array.isArray(touser) || touser.length < MIN_TOUSER || touser.length > MAX_TOUSER) {
    throw new WeChatError(40130, 'touser');
  }
  touser.forEach((openid, i) => {
    if (typeof openid !== 'string' || openid === '') throw new WeChatError(40003, `touser[${i}]`);
  });
  return { type: 'openids', openids: [...new Set(touser as string[])] };
}

/** Every OpenID the send addresses (TotalCount), and those who follow the account. */
export function resolveAudience(
  account: AccountSeed,
  audience: Audience,
  bulk?: BulkFollowers,
): { addressed: string[]; followers: string[] } {
  const seeded = new Set(account.followers);
  const following = { has: (openid: string) => seeded.has(openid) || bulk?.indexOf(openid) !== undefined };
  switch (audience.type) {
    case 'all':
      return { addressed: account.followers, followers: account.followers };
    case 'tag': {
      const members = account.tags.find((tag) => tag.id === audience.tagId)?.members ?? [];
      return { addressed: members, followers: members.filter((openid) => following.has(openid)) };
    }
    case 'openids':
      return { addressed: audience.openids, followers: audience.openids.filter((openid) => following.has(openid)) };
    case 'preview':
      return { addressed: [audience.openid], followers: [audience.openid] };
  }
}
