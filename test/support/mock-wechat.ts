import { MockAgent } from 'undici';
import type { HttpTransport } from '../../shared/transport/transport';
import { undiciTransport } from './undici-transport';

export const WECHAT_ORIGIN = 'https://api.weixin.qq.com';

/**
 * A MockAgent that refuses every request it was not told about: the real network is
 * impossible. `transport` is what the product's code takes in place of its node:https one.
 */
export function createWeChatMock(): {
  agent: MockAgent;
  wechat: ReturnType<MockAgent['get']>;
  transport: HttpTransport;
} {
  const agent = new MockAgent();
  agent.disableNetConnect();
  return { agent, wechat: agent.get(WECHAT_ORIGIN), transport: undiciTransport(agent) };
}

export function collectLogs(): { lines: string[]; sink: (line: string) => void } {
  const lines: string[] = [];
  return { lines, sink: (line) => lines.push(line) };
}
