import { randomBytes } from 'node:crypto';
import type { SandboxClock } from './clock';
import { beijingDay } from './clock';
import { WeChatError } from './errors';

/**
 * Access tokens as WeChat hands them out.
 * - Classic `token`: every call issues a new token; the previous one keeps working for 5
 *   minutes after it was replaced, then answers 40001.
 * - `stable_token`: the same token while it is valid. WeChat refreshes it in the last 5
 *   minutes of its life (the old one then lives until its own expiry). `force_refresh`
 *   replaces it and, as the documentation says, invalidates the old one (overlap configurable,
 *   default 0). Classic and stable tokens are isolated: one never invalidates the other.
 * - Expired → 42001; unknown, replaced past its overlap or revoked → 40001.
 */
export interface TokenRecord {
  value: string;
  appid: string;
  kind: 'classic' | 'stable';
  issuedAt: number;
  expiresAt: number;
  /** Earlier than expiresAt once the token has been replaced. */
  validUntil: number;
  revoked: boolean;
}

export interface TokenSettings {
  ttlSeconds: number;
  stableOverlapSeconds: number;
}

export interface TokenLimits {
  daily: boolean;
  perMinute: boolean;
}

const CLASSIC_OVERLAP_MS = 5 * 60_000;
const STABLE_EARLY_REFRESH_MS = 5 * 60_000;
const CLASSIC_DAILY_QUOTA = 2000;
const FORCE_REFRESH_DAILY_QUOTA = 20;
const FORCE_REFRESH_SPACING_MS = 30_000;

export class TokenBook {
  private readonly byValue = new Map<string, TokenRecord>();
  private readonly latestClassic = new Map<string, TokenRecord>();
  private readonly latestStable = new Map<string, TokenRecord>();
  private readonly classicIssued = new Map<string, { day: number; count: number }>();
  private readonly forceRefreshes = new Map<string, number[]>();

  constructor(
    private readonly clock: SandboxClock,
    private readonly settings: TokenSettings,
  ) {}

  issueClassic(appid: string, limits: TokenLimits): TokenRecord {
    const now = this.clock.now();
    const day = beijingDay(now);
    const issued = this.classicIssued.get(appid);
    const count = issued?.day === day ? issued.count : 0;
    if (limits.daily && count >= CLASSIC_DAILY_QUOTA) throw new WeChatError(45009, 'token');
    this.classicIssued.set(appid, { day, count: count + 1 });

    const previous = this.latestClassic.get(appid);
    if (previous) previous.validUntil = Math.min(previous.validUntil, now + CLASSIC_OVERLAP_MS);
    const record = this.create(appid, 'classic', now);
    this.latestClassic.set(appid, record);
    return record;
  }

  stable(appid: string, forceRefresh: boolean, limits: TokenLimits): TokenRecord {
    const now = this.clock.now();
    const current = this.latestStable.get(appid);
    if (forceRefresh) {
      this.takeForceRefresh(appid, now, limits);
      if (current) {
        const overlapMs = this.settings.stableOverlapSeconds * 1000;
        current.validUntil = Math.min(current.validUntil, now + overlapMs);
      }
    } else if (current && this.isUsable(current, now) && current.expiresAt - now > STABLE_EARLY_REFRESH_MS) {
      return current;
    }
    const record = this.create(appid, 'stable', now);
    this.latestStable.set(appid, record);
    return record;
  }

  /** The appid behind a token, valid or not; for logging who called. */
  ownerOf(value: string): string | undefined {
    return this.byValue.get(value)?.appid;
  }

  /** Returns the calling appid or throws WeChat's token errcode. */
  verify(value: string | null): string {
    if (value === null || value === '') throw new WeChatError(41001);
    const record = this.byValue.get(value);
    if (!record || record.revoked) throw new WeChatError(40001);
    const now = this.clock.now();
    if (now >= record.expiresAt) throw new WeChatError(42001);
    if (now >= record.validUntil) throw new WeChatError(40001);
    return record.appid;
  }

  /** Simulates WeChat rejecting a token early (another caller refreshed it). */
  revoke(value: string): boolean {
    const record = this.byValue.get(value);
    if (!record) return false;
    record.revoked = true;
    return true;
  }

  clear(): void {
    this.byValue.clear();
    this.latestClassic.clear();
    this.latestStable.clear();
    this.classicIssued.clear();
    this.forceRefreshes.clear();
  }

  remainingSeconds(record: TokenRecord): number {
    return Math.max(0, Math.floor((record.expiresAt - this.clock.now()) / 1000));
  }

  private isUsable(record: TokenRecord, now: number): boolean {
    return !record.revoked && now < record.expiresAt && now < record.validUntil;
  }

  // force_refresh is limited to 20 a day and at least 30 s apart. Our choice of errcodes:
  // 45009 (daily quota) for the 21st and 45011 (too frequent) within 30 s of the previous.
  private takeForceRefresh(appid: string, now: number, limits: TokenLimits): void {
    const day = beijingDay(now);
    const today = (this.forceRefreshes.get(appid) ?? []).filter((at) => beijingDay(at) === day);
    const last = today[today.length - 1];
    if (limits.perMinute && last !== undefined && now - last < FORCE_REFRESH_SPACING_MS) {
      throw new WeChatError(45011, 'force_refresh at most once every 30 seconds');
    }
    if (limits.daily && today.length >= FORCE_REFRESH_DAILY_QUOTA) {
      throw new WeChatError(45009, 'force_refresh at most 20 times a day');
    }
    today.push(now);
    this.forceRefreshes.set(appid, today);
  }

  private create(appid: string, kind: TokenRecord['kind'], now: number): TokenRecord {
    const expiresAt = now + this.settings.ttlSeconds * 1000;
    const record: TokenRecord = {
      value: randomBytes(96).toString('base64url'),
      appid,
      kind,
      issuedAt: now,
      expiresAt,
      validUntil: expiresAt,
      revoked: false,
    };
    this.byValue.set(record.value, record);
    return record;
  }
}
