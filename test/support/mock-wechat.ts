import { MockAgent } from 'undici';

export const WECHAT_ORIGIN = 'https://api.weixin.qq.com';

/** A MockAgent that refuses every request it was not told about: the real network is impossible. */
export function createWeChatMock(): { agent: MockAgent; wechat: ReturnType<MockAgent['get']> } {
  const agent = new MockAgent();
  agent.disableNetConnect();
  return { agent, wechat: agent.get(WECHAT_ORIGIN) };
}

export function collectLogs(): { lines: string[]; sink: (line: string) => void } {
  const lines: string[] = [];
  return { lines, sink: (line) => lines.push(line) };
}
