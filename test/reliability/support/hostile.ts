import fc from 'fast-check';
import { DEMO_ACCOUNTS, DEMO_MEDIA } from '../../../sandbox/server';

/**
 * Generated input for every API function: mostly near-valid (right shape, one value wrong or
 * one key too many), with plain garbage, broken JSON, odd methods and hostile headers mixed
 * in. Near-valid input matters most: it is what gets past the first check and reaches the
 * code behind it, and now and then it is valid and goes to WeChat (the sandbox).
 */

const account = DEMO_ACCOUNTS.service;
const media = DEMO_MEDIA.service;

const oddText = fc.constantFrom(
  '',
  ' ',
  '\u0000',
  '\u202e',
  '💥',
  '𝒳'.repeat(40),
  'null',
  '{}',
  '[]',
  '0',
  '-1',
  '1e309',
  '__proto__',
  'constructor',
  '<xml/>',
  '%00',
  '../../etc/passwd',
  'A'.repeat(300),
);
export const anyText = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }), oddText);
const oddNumber = fc.constantFrom(0, -1, 1.5, -0, 2 ** 31, 2 ** 53 + 2, 1e308, -1e308, Number.MAX_SAFE_INTEGER);
export const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  anyText,
  oddNumber,
  fc.constantFrom(null, true, false, [], {}),
);

/** Mostly the valid value, sometimes anything at all. */
export function loose<T>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 9, arbitrary: valid as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: anyValue });
}

/** Any subset of the keys, each value loose, now and then one unknown key more. */
export function shape(fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<unknown> {
  const looseFields = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, loose(v)]));
  const record = fc.oneof(
    { weight: 6, arbitrary: fc.record(looseFields) },
    { weight: 1, arbitrary: fc.record(looseFields, { requiredKeys: [] }) },
  );
  const extraKey = fc.oneof(
    { weight: 10, arbitrary: fc.constant(undefined) },
    {
      weight: 1,
      arbitrary: fc.tuple(
        fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'type')),
        anyValue,
      ),
    },
  );
  return fc.tuple(record, extraKey).map(([obj, extra]) => (extra ? { ...(obj as object), [extra[0]]: extra[1] } : obj));
}

const openId = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...account.followers.slice(0, 6)) },
  { weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{6,64}$/) },
  { weight: 1, arbitrary: anyText },
);
const mediaId = fc.oneof(
  fc.constantFrom(media.news, media.image, media.voice, media.mpvideo, media.video, media.thumb),
  fc.string({ minLength: 1, maxLength: 300 }),
);
const msgId = fc.oneof(
  fc.bigInt({ min: 0n, max: 10n ** 21n }).map(String),
  fc.stringMatching(/^\d{1,22}$/),
  fc.integer().map(String),
);
const clientMsgId = fc.oneof(
  fc.string({ minLength: 1, maxLength: 70 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.uuid(),
);
const flagValue = fc.boolean();
const messageTypes = fc.constantFrom(
  'text',
  'mpnews',
  'image',
  'voice',
  'mpvideo',
  'wxcard',
  'video',
  'news',
  'TEXT',
  '',
);

function message(preview: boolean): fc.Arbitrary<unknown> {
  return fc.oneof(
    shape({ type: fc.constant('text'), content: fc.string({ minLength: 1, maxLength: 200 }) }),
    shape({ type: fc.constant('mpnews'), mediaId, sendIgnoreReprint: flagValue }),
    preview
      ? shape({ type: fc.constant('image'), mediaId })
      : shape({
          type: fc.constant('image'),
          mediaIds: fc.array(mediaId, { maxLength: 4 }),
          recommend: fc.string(),
          needOpenComment: flagValue,
          onlyFansCanComment: flagValue,
        }),
    shape({ type: fc.constant('voice'), mediaId }),
    shape({ type: fc.constant('mpvideo'), mediaId, title: fc.string(), description: fc.string() }),
    shape({
      type: fc.constant('wxcard'),
      cardId: fc.oneof(fc.constantFrom(...account.cardIds), fc.string()),
      cardExt: fc.string(),
    }),
    shape({ type: messageTypes, content: fc.string(), mediaId }),
  );
}

const audience = fc.oneof(
  shape({ all: fc.constant(true) }),
  shape({ tagId: fc.oneof(fc.constantFrom(100, 101, 999), fc.integer()) }),
  shape({ all: fc.boolean(), tagId: fc.integer() }),
);

// A list past WeChat's 10,000, rarely: it must be refused before any call.
const tooManyOpenIds = fc.constant(Array.from({ length: 10_001 }, (_, i) => `o${String(i).padStart(27, '0')}`));

export const bodies = {
  sendByTag: shape({ audience, message: message(false), clientMsgId }),
  sendByList: shape({
    openIds: fc.oneof(
      { weight: 20, arbitrary: fc.array(openId, { maxLength: 6 }) },
      { weight: 1, arbitrary: tooManyOpenIds },
    ),
    message: message(false),
    clientMsgId,
  }),
  preview: fc.oneof(
    shape({ openId, message: message(true) }),
    shape({
      wechatId: fc.oneof(fc.constantFrom('sandbox_alice', 'sandbox_bob', 'nobody_here'), fc.string()),
      message: message(true),
    }),
  ),
  /** Deletes of real sends (msgIds and article URLs WeChat handed out) among made-up ones. */
  delete(sent: { msgIds: string[]; urls: string[] }) {
    const known = <T>(values: T[], other: fc.Arbitrary<T>) =>
      values.length
        ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...values) }, { weight: 1, arbitrary: other })
        : other;
    return fc.oneof(
      shape({ msgId: known(sent.msgIds, msgId), articleIdx: fc.integer({ min: -2, max: 10 }) }),
      shape({ url: known(sent.urls, fc.oneof(fc.webUrl(), fc.string())) }),
    );
  },
  speed: shape({ speed: fc.integer({ min: -2, max: 6 }) }),
  mediaNews: shape({
    articles: fc.array(
      shape({
        thumbMediaId: mediaId,
        title: fc.string({ minLength: 1 }),
        content: fc.string({ minLength: 1 }),
        author: fc.string(),
        contentSourceUrl: fc.string(),
        digest: fc.string(),
        showCoverPic: flagValue,
        needOpenComment: flagValue,
        onlyFansCanComment: flagValue,
      }),
      { maxLength: 10 },
    ),
  }),
  mediaVideo: shape({ mediaId, title: fc.string(), description: fc.string() }),
};

/** The raw body as API Gateway hands it over: JSON of the value, broken JSON, garbage or nothing. */
export function rawBody(value: fc.Arbitrary<unknown>): fc.Arbitrary<{ body?: string; isBase64Encoded?: boolean }> {
  return fc.oneof(
    { weight: 12, arbitrary: value.map((v) => ({ body: JSON.stringify(v) ?? '' })) },
    { weight: 1, arbitrary: anyValue.map((v) => ({ body: JSON.stringify(v) ?? '' })) },
    {
      weight: 1,
      arbitrary: fc.tuple(value, fc.nat()).map(([v, cut]) => {
        const text = JSON.stringify(v) ?? '';
        return { body: text.slice(0, cut % (text.length + 1)) };
      }),
    },
    { weight: 1, arbitrary: anyText.map((body) => ({ body })) },
    {
      weight: 1,
      arbitrary: value.map((v) => ({
        body: Buffer.from(JSON.stringify(v) ?? '').toString('base64'),
        isBase64Encoded: true,
      })),
    },
    { weight: 1, arbitrary: anyText.map((body) => ({ body, isBase64Encoded: true })) },
    { weight: 1, arbitrary: fc.constant({}) },
  );
}

/** Image bytes: PNG or JPEG magic with anything after it, or anything at all. */
export const imageBytes = fc.oneof(
  fc
    .uint8Array({ maxLength: 64 })
    .map((rest) => Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...rest])),
  fc.uint8Array({ maxLength: 64 }).map((rest) => Uint8Array.from([0xff, 0xd8, 0xff, ...rest])),
  fc.uint8Array({ maxLength: 64 }),
);

export function method(right: string, ...others: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 10, arbitrary: fc.constantFrom(right, ...others) },
    {
      weight: 2,
      arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'post', 'TRACE'),
    },
    { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
  );
}

export function headers(apiKeys: readonly string[]): fc.Arbitrary<Record<string, string>> {
  const authorization = fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom(...apiKeys.map((k) => `Bearer ${k}`)) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        `bearer   ${apiKeys[0]}  `,
        `Bearer ${apiKeys[0]} extra`,
        'Bearer',
        'Basic dXNlcjpwYXNz',
        `Bearer ${apiKeys[0]!.slice(0, -1)}`,
        '',
      ),
    },
    { weight: 1, arbitrary: anyText.map((t) => `Bearer ${t}`) },
    { weight: 1, arbitrary: anyText },
  );
  const contentType = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8') },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'APPLICATION/JSON',
        'application/vnd.api+json',
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/jsonp',
        '',
      ),
    },
    { weight: 1, arbitrary: anyText },
  );
  // Each header present or not; most requests carry a good key, so they get past the door.
  const optional = <T>(arbitrary: fc.Arbitrary<T>, oneIn: number) =>
    fc.oneof({ weight: oneIn - 1, arbitrary }, { weight: 1, arbitrary: fc.constant(undefined) });
  const known = fc
    .record({
      authorization: optional(authorization, 10),
      'content-type': optional(contentType, 2),
      'idempotency-key': optional(
        fc.oneof(fc.string({ maxLength: 20 }), fc.string({ minLength: 250, maxLength: 300 }), oddText),
        2,
      ),
    })
    .map((h) => Object.fromEntries(Object.entries(h).filter(([, v]) => v !== undefined)));
  const extra = fc.dictionary(
    fc.oneof(
      fc.string({ minLength: 1, maxLength: 16 }),
      fc.constantFrom('x-forwarded-for', 'host', 'content-length', 'Authorization'),
    ),
    anyText,
    { maxKeys: 3 },
  );
  return fc.tuple(extra, known).map(([a, b]) => ({ ...a, ...b }) as Record<string, string>);
}

export function query(
  fields: Record<string, fc.Arbitrary<unknown>> = {},
): fc.Arbitrary<Record<string, string | string[] | true>> {
  const value = fc.oneof(
    fc.string({ maxLength: 30 }),
    fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }),
    fc.constant(true as const),
  );
  const known = fc.record(
    Object.fromEntries(
      Object.entries(fields).map(([k, v]) => [
        k,
        fc.oneof({ weight: 4, arbitrary: v }, { weight: 1, arbitrary: value }),
      ]),
    ),
    { requiredKeys: [] },
  );
  return fc
    .tuple(fc.dictionary(fc.string({ maxLength: 10 }), value, { maxKeys: 3 }), known)
    .map(([a, b]) => ({ ...a, ...b }) as Record<string, string | string[] | true>);
}

export const msgIdQuery = fc.oneof(msgId, anyText);
