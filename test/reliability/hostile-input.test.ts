import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main_handler as callbackMain } from '../../functions/callback/index';
import { main_handler as deleteMain } from '../../functions/delete/index';
import { main_handler as mediaMain } from '../../functions/media/index';
import { main_handler as previewMain } from '../../functions/preview/index';
import { main_handler as sendByListMain } from '../../functions/send-by-list/index';
import { main_handler as sendByTagMain } from '../../functions/send-by-tag/index';
import { main_handler as speedMain } from '../../functions/speed/index';
import { main_handler as statusMain } from '../../functions/status/index';
import { DEMO_ACCOUNTS, DEMO_MEDIA, startSandbox, type Sandbox } from '../../sandbox/server';
import type { ApiGatewayResponse, ScfContext } from '../../shared/http/api-gateway';
import { apiEvent } from '../support/api-event';
import { bodies, headers, imageBytes, method, msgIdQuery, query, rawBody, anyText, shape } from './support/hostile';
import { buildCallbackRequest, callbackInput } from './support/hostile-callback';
import { findSecrets, LogCollector, namedTokens } from './support/secrets';
import { reportCounts } from './support/summary';
import { startTokenRecorder, type TokenRecorder } from './support/token-recorder';

/**
 * Thousands of generated requests through every API function's and the callback's real entry
 * point (functions/<name>/index.ts, configured from the environment as on SCF), in process,
 * with the WeChat sandbox behind them. Whatever comes in: no 500, no throw; a 4xx whose body
 * names the problem, or a 2xx when the input happened to be valid.
 */

type Main = (event: unknown, context?: ScfContext) => Promise<ApiGatewayResponse>;

const logs = new LogCollector();
const answers: string[] = [];
let inputs = 0;
const account = DEMO_ACCOUNTS.service;
const media = DEMO_MEDIA.service;
const API_KEYS = [`rel-key-${randomBytes(12).toString('hex')}`, `rel-key-old-${randomBytes(12).toString('hex')}`];
const CALLBACK_TOKEN = randomBytes(16).toString('hex');
const AES_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const AES_KEY = Array.from(randomBytes(43), (b) => AES_ALPHABET[b % AES_ALPHABET.length]).join('');

let sandbox: Sandbox;
let recorder: TokenRecorder;
const savedEnv = { ...process.env };

beforeAll(async () => {
  sandbox = await startSandbox({
    port: 0,
    jobDurationMs: 600_000,
    limits: { perMinute: false, daily: false, monthly: false },
    log: logs.sink,
  });
  recorder = await startTokenRecorder(sandbox.url);
  // What SCF gives each function; the entry points read it on their first invocation.
  Object.assign(process.env, {
    WECHAT_APP_ID: account.appid,
    WECHAT_APP_SECRET: account.secret,
    WECHAT_API_BASE_URL: recorder.url,
    WECHAT_TIMEOUT_MS: '5000',
    WECHAT_TOKEN: CALLBACK_TOKEN,
    WECHAT_ENCODING_AES_KEY: AES_KEY,
    STORE_URL: 'memory:',
    API_KEYS: API_KEYS.join(','),
    // The sandbox's limits are off for the fuzzing; the product's own shared limit likewise.
    MASS_SEND_PER_MINUTE: '100000',
    MASS_SEND_PER_DAY: '100000',
  });
  // The functions log to stdout as on SCF: keep every line for the secrets scan.
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => logs.sink(args.map(String).join(' ')));
  }
});

afterAll(async () => {
  vi.restoreAllMocks();
  process.env = savedEnv;
  await recorder?.close();
  await sandbox?.close();
  const secrets = {
    AppSecret: account.secret,
    'callback Token': CALLBACK_TOKEN,
    EncodingAESKey: AES_KEY,
    'API key': API_KEYS[0]!,
    'previous API key': API_KEYS[1]!,
    ...namedTokens(recorder.tokens),
  };
  const inLogs = findSecrets(logs.lines, secrets);
  const inAnswers = findSecrets(answers, secrets);
  reportCounts('hostile-input', {
    faultScenarios: 0,
    generatedInputs: inputs,
    logLines: logs.lines.length,
    secretsFound: inLogs.length + inAnswers.length,
  });
  expect(recorder.tokens.size, 'valid inputs reached WeChat, so a token was issued').toBeGreaterThan(0);
  expect(inLogs, 'secrets in log lines').toEqual([]);
  expect(inAnswers, 'secrets in answers').toEqual([]);
});

let requestSeq = 0;

/** One generated request through an entry point: it must answer, and the answer must be 2xx or an explained 4xx. */
async function expectExplained(main: Main, event: unknown, kind: 'api' | 'callback'): Promise<number> {
  inputs++;
  const res = await main(event, { request_id: `hostile-${++requestSeq}` });
  answers.push(res.body);
  const status = res.statusCode;
  if (status >= 200 && status < 300) return status;
  expect(status >= 400 && status < 500, `HTTP ${status}: ${res.body.slice(0, 300)}`).toBe(true);
  if (kind === 'callback') {
    expect(res.body, `HTTP ${status} without a reason`).toMatch(/\S/);
    return status;
  }
  const error = (
    JSON.parse(res.body) as {
      error?: { code?: unknown; message?: unknown; fields?: Array<{ path: string; reason: string }> };
    }
  ).error;
  expect(error?.code, res.body).toEqual(expect.stringMatching(/\S/));
  const named =
    (typeof error?.message === 'string' && error.message.trim() !== '') ||
    (error?.fields ?? []).some((f) => f.reason.trim() !== '');
  expect(named, `HTTP ${status} that names no problem: ${res.body}`).toBe(true);
  return status;
}

interface RequestInput {
  method: string;
  path: string;
  headers: Record<string, string>;
  query?: Record<string, string | string[] | true>;
  raw: { body?: string; isBase64Encoded?: boolean };
}

function toEvent(input: RequestInput): Record<string, unknown> {
  const event = apiEvent({
    method: input.method,
    path: input.path,
    headers: input.headers,
    ...(input.raw.body === undefined ? {} : { body: input.raw.body }),
    ...(input.query ? { query: input.query } : {}),
  });
  return { ...event, isBase64Encoded: input.raw.isBase64Encoded ?? false };
}

const statuses = new Map<string, Map<number, number>>();
function tally(name: string, status: number): void {
  const counts = statuses.get(name) ?? new Map<number, number>();
  counts.set(status, (counts.get(status) ?? 0) + 1);
  statuses.set(name, counts);
}

async function fuzz(name: string, main: Main, arbitrary: fc.Arbitrary<RequestInput>, numRuns: number): Promise<void> {
  await fc.assert(
    fc.asyncProperty(arbitrary, async (input) => tally(name, await expectExplained(main, toEvent(input), 'api'))),
    { numRuns },
  );
  // The generators must reach past validation: some input is valid and gets a 2xx.
  const ok = [...(statuses.get(name) ?? new Map<number, number>()).entries()]
    .filter(([s]) => s < 300)
    .reduce((n, [, c]) => n + c, 0);
  expect(ok, `${name}: ${JSON.stringify([...(statuses.get(name) ?? [])])}`).toBeGreaterThan(0);
}

const jsonRequest = (path: string, verb: fc.Arbitrary<string>, body: fc.Arbitrary<unknown>) =>
  fc.record({ method: verb, path: fc.constant(path), headers: headers(API_KEYS), raw: rawBody(body) });

describe('hostile input through every API function: never a 500, never a throw, a 4xx that names the problem', () => {
  it('send-by-tag', async () => {
    await fuzz('send-by-tag', sendByTagMain, jsonRequest('/send-by-tag', method('POST'), bodies.sendByTag), 1500);
  });

  it('send-by-list', async () => {
    await fuzz('send-by-list', sendByListMain, jsonRequest('/send-by-list', method('POST'), bodies.sendByList), 1200);
  });

  it('preview', async () => {
    await fuzz('preview', previewMain, jsonRequest('/preview', method('POST'), bodies.preview), 1000);
  });

  it('delete', async () => {
    // Finished mpnews and mpvideo sends can be deleted for real.
    for (const message of [
      { type: 'mpnews', mediaId: media.news },
      { type: 'mpvideo', mediaId: media.mpvideo },
    ]) {
      const sent = await sendByTagMain(
        apiEvent({ path: '/send-by-tag', apiKey: API_KEYS[0], body: { audience: { tagId: 100 }, message } }),
      );
      expect(sent.statusCode, sent.body).toBe(200);
    }
    sandbox.finishJobs();
    const sent = sandbox
      .messages()
      .filter((m) => m.endpoint !== 'preview' && (m.content.msgtype === 'mpnews' || m.content.msgtype === 'mpvideo'));
    const body = bodies.delete({ msgIds: sent.map((m) => String(m.msgId)), urls: sent.flatMap((m) => m.articleUrls) });
    await fuzz('delete', deleteMain, jsonRequest('/delete', method('POST'), body), 800);
  });

  it('status', async () => {
    // Valid msgIds of real sends now and then, so a 200 is possible.
    const sent = sandbox.messages().map((m) => String(m.msgId));
    const msgId = sent.length ? fc.oneof(fc.constantFrom(...sent), msgIdQuery) : msgIdQuery;
    const arbitrary = fc.record({
      method: method('GET'),
      path: fc.constant('/status'),
      headers: headers(API_KEYS),
      query: query({ msgId }),
      raw: fc.oneof(fc.constant({}), rawBody(anyText)),
    });
    await fuzz('status', statusMain, arbitrary, 800);
  });

  it('speed', async () => {
    await fuzz('speed', speedMain, jsonRequest('/speed', method('PUT', 'GET'), bodies.speed), 600);
  });

  it('media: news, video and image uploads, and routes that do not exist', async () => {
    const json = fc.oneof(
      jsonRequest('/media/news', method('POST'), bodies.mediaNews),
      jsonRequest('/release/media/news', method('POST'), bodies.mediaNews),
      jsonRequest('/media/video', method('POST'), bodies.mediaVideo),
    );
    const image = fc.record({
      method: method('POST'),
      path: fc.constantFrom('/media/image', '/media/image/'),
      headers: headers(API_KEYS),
      query: query({ filename: fc.oneof(fc.constantFrom('a.png', 'photo.JPG', '../x', ''), anyText) }),
      raw: fc.oneof(
        {
          weight: 5,
          arbitrary: imageBytes.map((bytes) => ({
            body: Buffer.from(bytes).toString('base64'),
            isBase64Encoded: true,
          })),
        },
        { weight: 1, arbitrary: rawBody(anyText) },
      ),
    });
    const elsewhere = jsonRequest('/media', method('POST'), bodies.mediaVideo).chain((r) =>
      fc
        .constantFrom('/media', '/media/', '/media/audio', '/media/news/extra', '/mediax/news')
        .map((path) => ({ ...r, path })),
    );
    await fuzz(
      'media',
      mediaMain,
      fc.oneof({ weight: 3, arbitrary: json }, { weight: 3, arbitrary: image }, { weight: 1, arbitrary: elsewhere }),
      1200,
    );
  });

  it('material and drafts: uploads as raw files, forms or {sourceUrl}, listings, deletes and drafts', async () => {
    const uploadPaths = ['image', 'voice', 'video', 'thumb'].flatMap((t) => [
      `/media/material/${t}`,
      `/media/temporary/${t}`,
    ]);
    const fileBytes = fc.oneof(
      imageBytes,
      fc.uint8Array({ maxLength: 32 }).map((rest) => Uint8Array.from([...Buffer.from('#!AMR\n'), ...rest])),
      fc
        .uint8Array({ maxLength: 32 })
        .map((rest) => Uint8Array.from([0, 0, 0, 24, ...Buffer.from('ftypmp42'), ...rest])),
    );
    const boundary = 'fuzz-boundary';
    const form = fc
      .record({
        name: fc.oneof(
          { weight: 5, arbitrary: fc.constant('media') },
          { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
        ),
        data: fileBytes,
        type: fc.constantFrom('image/jpeg', 'image/png', 'audio/amr', 'video/mp4', 'application/octet-stream', 'x/y'),
        title: fc.option(anyText),
        cut: fc.option(fc.nat()),
      })
      .map(({ name, data, type, title, cut }) => {
        const whole = Buffer.concat([
          Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="f"\r\n`),
          Buffer.from(`Content-Type: ${type}\r\n\r\n`),
          Buffer.from(data),
          Buffer.from(
            title === null ? '' : `\r\n--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\n${title}`,
          ),
          Buffer.from(`\r\n--${boundary}--\r\n`),
        ]);
        return {
          body: whole.subarray(0, cut === null ? whole.length : cut % (whole.length + 1)),
          type: `multipart/form-data; boundary=${boundary}`,
        };
      });
    const raw = fc.record({
      body: fileBytes.map((b) => Buffer.from(b)),
      type: fc.constantFrom(
        'image/jpeg',
        'image/png',
        'image/gif',
        'audio/amr',
        'video/mp4',
        'application/octet-stream',
        'text/plain',
        '',
      ),
    });
    // Only URLs refused before any lookup: the fuzz must never resolve a name or connect out.
    const sourceUrl = fc.constantFrom(
      'http://example.com/a.png',
      'https://127.0.0.1/a.png',
      'https://169.254.0.23/latest/meta-data',
      'https://[::1]/a.png',
      'https://u:p@10.0.0.1/a.png',
      'ftp://example.com/a.png',
      'not a url',
      '',
    );
    const json = shape({ sourceUrl, title: fc.string(), introduction: fc.string(), filename: fc.string() }).map(
      (v) => ({
        body: Buffer.from(JSON.stringify(v) ?? ''),
        type: 'application/json',
      }),
    );
    const upload = fc
      .record({
        method: method('POST'),
        path: fc.constantFrom(...uploadPaths),
        headers: headers(API_KEYS),
        content: fc.oneof(
          { weight: 3, arbitrary: form },
          { weight: 3, arbitrary: raw },
          { weight: 2, arbitrary: json },
        ),
      })
      .map(({ method: verb, path, headers: h, content }) => ({
        method: verb,
        path,
        headers: { ...h, 'content-type': content.type },
        raw: { body: content.body.toString('base64'), isBase64Encoded: true },
      }));
    const crop = shape({ x1: fc.double(), y1: fc.double(), x2: fc.double(), y2: fc.double() });
    const draft = shape({
      articles: fc.array(
        shape({
          thumbMediaId: fc.constantFrom(media.thumb, media.image, media.voice, 'nope'),
          title: fc.string({ minLength: 1, maxLength: 40 }),
          content: fc.string({ minLength: 1 }),
          author: fc.string({ maxLength: 20 }),
          digest: fc.string(),
          contentSourceUrl: fc.string(),
          needOpenComment: fc.boolean(),
          onlyFansCanComment: fc.boolean(),
          coverCrops: shape({ wide: crop, square: crop }),
        }),
        { maxLength: 9 },
      ),
    });
    const listing = fc.record({
      method: method('GET'),
      path: fc.constantFrom('/media/material', '/media/drafts', '/media/draft', '/media/material/count'),
      headers: headers(API_KEYS),
      query: query({
        type: fc.constantFrom('image', 'voice', 'video', 'news', 'thumb'),
        offset: fc.constantFrom('0', '1', '-1', 'x'),
        count: fc.constantFrom('1', '20', '21', '0'),
        withContent: fc.constantFrom('true', 'false', 'yes'),
        mediaId: fc.constantFrom(media.image, 'nope', ''),
      }),
      raw: fc.constant({}),
    });
    const writes = fc.oneof(
      jsonRequest('/media/drafts', method('POST'), draft),
      jsonRequest('/media/material/delete', method('POST'), shape({ mediaId: fc.constantFrom(media.video, 'nope') })),
      jsonRequest('/media/drafts/delete', method('POST'), shape({ mediaId: fc.constantFrom(media.news, 'nope') })),
    );
    await fuzz(
      'material',
      mediaMain,
      fc.oneof({ weight: 4, arbitrary: upload }, { weight: 2, arbitrary: listing }, { weight: 2, arbitrary: writes }),
      1200,
    );
  });

  it('events that are not API Gateway events at all', async () => {
    const mains: Main[] = [
      sendByTagMain,
      sendByListMain,
      previewMain,
      deleteMain,
      statusMain,
      speedMain,
      mediaMain,
      callbackMain,
    ];
    const broken = fc.oneof(
      fc.anything({ maxDepth: 2 }),
      fc.record(
        {
          httpMethod: fc.oneof(fc.string(), fc.integer()),
          path: fc.oneof(fc.string(), fc.constant(null)),
          headers: fc.oneof(
            fc.constant(null),
            fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer(), fc.constant(null))),
          ),
          queryString: fc.oneof(
            fc.constant(null),
            fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer(), fc.constant(false))),
          ),
          body: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
          isBase64Encoded: fc.oneof(fc.boolean(), fc.string()),
        },
        { requiredKeys: [] },
      ),
    );
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: mains.length - 1 }), broken, async (which, event) => {
        await expectExplained(mains[which]!, event, which === mains.length - 1 ? 'callback' : 'api');
      }),
      { numRuns: 600 },
    );
  });
});

describe('hostile input through the callback: never a 500, never a throw, a 4xx that names the reason', () => {
  it('signed, unsigned, encrypted and broken pushes and URL verifications', async () => {
    const secrets = { token: CALLBACK_TOKEN, aesKey: AES_KEY, appId: account.appid };
    await fc.assert(
      fc.asyncProperty(callbackInput, async (input) => {
        const request = buildCallbackRequest(input, secrets, Date.now());
        const event = apiEvent({
          method: request.method,
          path: '/callback',
          headers: { 'content-type': 'text/xml' },
          body: request.body,
          query: request.query,
        });
        tally('callback', await expectExplained(callbackMain, event, 'callback'));
      }),
      { numRuns: 3000 },
    );
    const counts = statuses.get('callback') ?? new Map<number, number>();
    expect(counts.get(200) ?? 0, JSON.stringify([...counts])).toBeGreaterThan(0);
  });
});

describe('input WeChat refuses with an errcode the product does not map (product gaps found here)', () => {
  const send = (message: object) =>
    sendByTagMain(apiEvent({ path: '/send-by-tag', apiKey: API_KEYS[0], body: { audience: { tagId: 100 }, message } }));

  it('a text message of only blanks is a 400 naming message.content, not a 502', async () => {
    const res = await send({ type: 'text', content: ' \n ' });

    expect(res.statusCode, res.body).toBe(400);
    expect(JSON.parse(res.body).error.fields).toEqual([expect.objectContaining({ path: 'message.content' })]);
  });

  it('a card id WeChat does not know is a 400 naming message.cardId, not a 502', async () => {
    const res = await send({ type: 'wxcard', cardId: 'pNotACardOfThisAccount0000000' });

    expect(res.statusCode, res.body).toBe(400);
    expect(JSON.parse(res.body).error.fields).toEqual([expect.objectContaining({ path: 'message.cardId' })]);
  });
});
