import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS } from '../../sandbox/accounts';
import type { TestSandbox } from './helpers';
import { postJson, startTestSandbox } from './helpers';

const PATHS = [
  '/cgi-bin/stable_token',
  '/cgi-bin/message/mass/sendall',
  '/cgi-bin/message/mass/send',
  '/cgi-bin/message/mass/preview',
  '/cgi-bin/message/mass/delete',
  '/cgi-bin/message/mass/get',
  '/cgi-bin/message/mass/speed/set',
  '/cgi-bin/media/uploadnews',
  '/cgi-bin/media/uploadvideo',
  '/cgi-bin/media/uploadimg',
];

let t: TestSandbox;
let token: string;

beforeAll(async () => {
  t = await startTestSandbox({ limits: { perMinute: false, daily: false, monthly: false } });
  token = await t.tokenFor(DEMO_ACCOUNTS.service);
});
afterAll(async () => {
  await t.sandbox.close();
});

// Bodies shaped like WeChat's, with every field replaced by arbitrary JSON now and then.
const messageBody = fc.record(
  {
    filter: fc.oneof(fc.record({ is_to_all: fc.jsonValue(), tag_id: fc.jsonValue() }), fc.jsonValue()),
    touser: fc.oneof(fc.array(fc.string(), { maxLength: 4 }), fc.jsonValue()),
    towxname: fc.jsonValue(),
    msgtype: fc.oneof(fc.constantFrom('mpnews', 'text', 'voice', 'image', 'mpvideo', 'wxcard'), fc.jsonValue()),
    text: fc.oneof(fc.record({ content: fc.jsonValue() }), fc.jsonValue()),
    images: fc.oneof(fc.record({ media_ids: fc.jsonValue() }), fc.jsonValue()),
    msg_id: fc.jsonValue(),
    article_idx: fc.jsonValue(),
    speed: fc.jsonValue(),
    articles: fc.jsonValue(),
    clientmsgid: fc.jsonValue(),
  },
  { requiredKeys: [] },
);

describe('hostile bodies', () => {
  it('never crash the sandbox and always answer HTTP 200 with a numeric errcode or a result', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...PATHS),
        fc.oneof(messageBody, fc.jsonValue(), fc.string()),
        async (path, body) => {
          const raw = typeof body === 'string' ? body : JSON.stringify(body);
          const { status, json } = await postJson(`${t.sandbox.url}${path}?access_token=${token}`, raw);
          expect(status).toBe(200);
          expect(typeof json.errcode === 'number' || 'access_token' in json || 'msg_status' in json).toBe(true);
          expect(json.errcode).not.toBe(-1);
        },
      ),
      { numRuns: 300 },
    );
  });
});
