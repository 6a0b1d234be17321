import { MockAgent } from 'undici';
import { afterEach, beforeEach } from 'vitest';
import type { HttpTransport } from '../../shared/transport/transport';
import { undiciTransport } from './undici-transport';

export const WECHAT_ORIGIN = 'https://api.weixin.qq.com';

/**
 * A MockAgent that refuses every request it was not told about: the real network is
 * impossible. `transport` is what the product's code takes in place of its node:https one.
 */
export function createWeChatMock(): WeChatMock {
  const agent = new MockAgent();
  agent.disableNetConnect();
  return { agent, wechat: agent.get(WECHAT_ORIGIN), transport: undiciTransport(agent) };
}

/**
 * Closes the mock, and throws when an interceptor was never called: a request the code should
 * have made and did not. The agent is closed either way.
 */
export async function closeWeChatMock(agent: MockAgent): Promise<void> {
  try {
    agent.assertNoPendingInterceptors();
  } finally {
    await agent.close();
  }
}

export interface WeChatMock {
  agent: MockAgent;
  wechat: ReturnType<MockAgent['get']>;
  transport: HttpTransport;
}

/**
 * A fresh WeChat mock for every test of the describe block that calls it, closed after the
 * test with `closeWeChatMock`. Its fields are read while a test runs.
 */
export function useWeChatMock(): WeChatMock {
  let current: WeChatMock | undefined;
  const live = (): WeChatMock => {
    if (!current) throw new Error('the WeChat mock exists only while a test runs');
    return current;
  };
  beforeEach(() => {
    current = createWeChatMock();
  });
  afterEach(async () => {
    const { agent } = live();
    current = undefined;
    await closeWeChatMock(agent);
  });
  return {
    get agent() {
      return live().agent;
    },
    get wechat() {
      return live().wechat;
    },
    get transport() {
      return live().transport;
    },
  };
}

export function collectLogs(): { lines: string[]; sink: (line: string) => void } {
  const lines: string[] = [];
  return { lines, sink: (line) => lines.push(line) };
}
