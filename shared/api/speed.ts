import type { WeChatClient } from '../wechat/client';
import { massSpeedGet, massSpeedSet } from '../wechat/endpoints';
import type { SpeedResponse } from './schemas';
import { callWeChat } from './call-wechat';

export interface SpeedDeps {
  client: WeChatClient;
}

// WeChat's published levels in users a minute; speed/set answers only errcode 0, so PUT reports
// the level's speed from this table while GET reports WeChat's own realspeed.
export const SPEED_LEVELS: Readonly<Record<number, number>> = {
  0: 800_000,
  1: 600_000,
  2: 450_000,
  3: 300_000,
  4: 100_000,
};

// realspeed comes in units of 10,000 users a minute (万/分钟).
const REALSPEED_UNIT = 10_000;

export async function getSpeed(deps: SpeedDeps): Promise<SpeedResponse> {
  const reply = await callWeChat(deps.client, massSpeedGet, {});
  return { speed: reply.speed, usersPerMinute: reply.realspeed * REALSPEED_UNIT };
}

export async function setSpeed(deps: SpeedDeps, speed: number): Promise<SpeedResponse> {
  await callWeChat(deps.client, massSpeedSet, { speed }, { speed: 'speed' });
  return { speed, usersPerMinute: SPEED_LEVELS[speed] ?? 0 };
}
