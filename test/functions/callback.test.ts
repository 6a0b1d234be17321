import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createFileStore } from '../../shared/store/file-store';
import { readMassReport } from '../../shared/reports/mass-report-store';
import { encryptMessage } from '../../shared/wechat/callback-crypto';
import { sha1Signature } from '../../shared/wechat/signature';
import { massSendJobFinishDocumentedSample } from '../fixtures/mass-send-job-finish';

const TOKEN = 'function-callback-token-9x';
const AES_KEY = 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR';
const APP_ID = 'wxcallbackfn00001';

/** The event API Gateway hands the callback function for WeChat's request. */
function gatewayEvent(method: string, query: Record<string, string>, body = '') {
  return {
    requestContext: {
      serviceId: 'service-x',
      path: '/callback',
      httpMethod: method,
      requestId: 'req-1',
      identity: {},
      sourceIp: '1.2.3.4',
      stage: 'release',
    },
    headers: { 'content-type': 'text/xml', 'user-agent': 'Mozilla/4.0' },
    body,
    pathParameters: {},
    queryStringParameters: {},
    headerParameters: {},
    stageVariables: {},
    path: '/callback',
    queryString: query,
    httpMethod: method,
    isBase64Encoded: false,
  };
}

// Each request its own nonce: a signed query is used up once processed (or verified).
let nonceSeq = 48_213;

function signed(extra: string[] = []) {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = String(nonceSeq++);
  return {
    timestamp,
    nonce,
    signature: sha1Signature([TOKEN, timestamp, nonce]),
    msg: sha1Signature([TOKEN, timestamp, nonce, ...extra]),
  };
}

describe('callback function (main_handler)', () => {
  let dir: string;
  let main_handler: (
    event: unknown,
    context?: { request_id?: string },
  ) => Promise<{ statusCode: number; body: string; headers: Record<string, string> }>;
  const logged: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'callback-fn-'));
    vi.stubEnv('WECHAT_APP_ID', APP_ID);
    vi.stubEnv('WECHAT_TOKEN', TOKEN);
    vi.stubEnv('WECHAT_ENCODING_AES_KEY', AES_KEY);
    vi.stubEnv('STORE_URL', `file:${dir}`);
    vi.spyOn(console, 'log').mockImplementation((line: string) => void logged.push(String(line)));
    ({ main_handler } = await import('../../functions/callback/index'));
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers URL verification with echostr verbatim as text', async () => {
    const { timestamp, nonce, signature } = signed();
    const res = await main_handler(gatewayEvent('GET', { signature, timestamp, nonce, echostr: '1234567890123' }), {
      request_id: 'r-verify',
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('1234567890123');
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.headers['x-request-id']).toBe('r-verify');
  });

  it('records a safe-mode MASSSENDJOBFINISH in the shared store and answers success', async () => {
    const encrypt = encryptMessage(massSendJobFinishDocumentedSample, { key: AES_KEY, appId: APP_ID });
    const { timestamp, nonce, signature, msg } = signed([encrypt]);
    const toUser = '<ToUserName><![CDATA[gh_4d00ed8d6399]]></ToUserName>';
    const body = `<xml>${toUser}<Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`;
    const event = gatewayEvent(
      'POST',
      { signature, timestamp, nonce, encrypt_type: 'aes', msg_signature: msg, openid: 'oV5CrjpxgaGXNHIQigzNlgLTnwic' },
      body,
    );
    const before = logged.length;
    const first = await main_handler(event);
    const linesOfFirst = logged.slice(before);
    const redelivery = await main_handler(event);
    expect([first.statusCode, first.body, redelivery.statusCode, redelivery.body]).toEqual([
      200,
      'success',
      200,
      'success',
    ]);
    const report = await readMassReport(createFileStore(dir), APP_ID, '1000001625');
    expect(report).toMatchObject({ msgId: '1000001625', status: { kind: 'error', code: 30003 } });
    expect(report?.copyrightCheck?.results).toHaveLength(2);
    // One log line per invocation: the request line carries what the handler did.
    expect(linesOfFirst).toHaveLength(1);
    expect(JSON.parse(linesOfFirst[0]!)).toMatchObject({
      message: 'request',
      status: 200,
      outcome: 'mass send report recorded',
      msgId: '1000001625',
    });
  });

  it('refuses a plain-mode push with 401 while an EncodingAESKey is configured, in one warn line', async () => {
    const { timestamp, nonce, signature } = signed();
    const before = logged.length;
    const res = await main_handler(
      gatewayEvent('POST', { signature, timestamp, nonce }, massSendJobFinishDocumentedSample),
      { request_id: 'req-refused' },
    );
    expect([res.statusCode, res.body]).toEqual([401, 'plain_push_refused']);
    const lines = logged.slice(before);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: 'warn',
      message: 'request',
      requestId: 'req-refused',
      status: 401,
      outcome: 'callback rejected',
      reason: 'plain_push_refused',
    });
  });

  it('refuses a bad signature with 401 before parsing and logs no secret or decrypted text', async () => {
    const { timestamp, nonce } = signed();
    const res = await main_handler(gatewayEvent('POST', { signature: 'f'.repeat(40), timestamp, nonce }, '<xml><oops'));
    expect(res.statusCode).toBe(401);
    const text = logged.join('\n');
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(AES_KEY);
    expect(text).not.toContain('Url_1');
  });
});
