import fc from 'fast-check';
import { encryptMessage } from '../../../shared/wechat/callback-crypto';
import { sha1Signature } from '../../../shared/wechat/signature';
import { massSendJobFinish } from '../../fixtures/mass-send-job-finish';
import { anyText, method } from './hostile';

/**
 * Generated requests to the callback (WeChat's developer URL): signatures right, wrong or
 * missing; timestamps now, stale or nonsense; plain, compat and safe bodies with their XML
 * broken, fields replaced, the encryption made with the wrong key or AppID. Most are signed
 * correctly, so they reach the XML parser and the report store instead of stopping at the door.
 */
export interface CallbackSecrets {
  token: string;
  aesKey: string;
  appId: string;
}

type Body =
  | { kind: 'plain'; xml: string }
  | { kind: 'encrypted'; xml: string; key: 'ours' | 'other'; appId: 'ours' | 'other'; compat: boolean }
  | { kind: 'encrypt-text'; text: string };

const xmlFragments = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        '<xml>',
        '</xml>',
        '<MsgType>',
        '</MsgType>',
        '<![CDATA[',
        ']]>',
        '<Event>',
        '</Event>',
        '<MsgID>',
        '</MsgID>',
        '&amp;',
        '&#x0;',
        '<!DOCTYPE x [<!ENTITY a "b">]>',
        '<?xml version="1.0"?>',
        '/>',
        'event',
        'MASSSENDJOBFINISH',
      ),
      fc.string({ maxLength: 8 }),
    ),
    { maxLength: 30 },
  )
  .map((parts) => parts.join(''));

const FIELDS = [
  'MsgID',
  'Status',
  'TotalCount',
  'FilterCount',
  'SentCount',
  'ErrorCount',
  'CreateTime',
  'MsgType',
  'Event',
  'ToUserName',
  'CheckState',
  'ArticleIdx',
  'Count',
];

const massPush = fc.oneof(
  fc.constant(massSendJobFinish()),
  fc
    .tuple(
      fc.constantFrom(...FIELDS),
      fc.oneof(anyText, fc.constantFrom('-1', '99999999999999999999999', 'send success', 'err(', 'err(99999)', '1e3')),
    )
    .map(([field, text]) => {
      const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
      return massSendJobFinish().replace(
        new RegExp(`<${field}>(?:(?!</${field}>)[\\s\\S])*</${field}>`),
        `<${field}>${escaped}</${field}>`,
      );
    }),
  fc.tuple(fc.constantFrom(...FIELDS), fc.nat()).map(([field, n]) => {
    // A field dropped, or the document cut short.
    const xml = massSendJobFinish();
    return n % 2 === 0
      ? xml.replace(new RegExp(`<${field}>(?:(?!</${field}>)[\\s\\S])*</${field}>`), '')
      : xml.slice(0, n % xml.length);
  }),
);

const xml = fc.oneof(
  { weight: 3, arbitrary: massPush },
  { weight: 2, arbitrary: xmlFragments },
  { weight: 1, arbitrary: anyText },
);

const body: fc.Arbitrary<Body> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('encrypted' as const),
      xml,
      key: fc.constantFrom('ours', 'ours', 'ours', 'other'),
      appId: fc.constantFrom('ours', 'ours', 'ours', 'other'),
      compat: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('plain' as const), xml }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('encrypt-text' as const),
      text: fc.oneof(fc.base64String({ maxLength: 200 }), anyText),
    }),
  },
);

export const callbackInput = fc.record({
  method: method('POST', 'GET'),
  signature: fc.constantFrom('good', 'good', 'good', 'good', 'bad', 'missing'),
  timestamp: fc.oneof(
    { weight: 6, arbitrary: fc.constant('now') },
    { weight: 1, arbitrary: fc.constantFrom('stale', 'future', 'missing') },
    { weight: 1, arbitrary: anyText },
  ),
  nonce: fc.oneof(
    { weight: 6, arbitrary: fc.stringMatching(/^\d{1,10}$/) },
    { weight: 1, arbitrary: fc.constantFrom('missing', '') },
    { weight: 1, arbitrary: anyText },
  ),
  echostr: fc.option(anyText),
  encryptType: fc.oneof(
    { weight: 4, arbitrary: fc.constant('auto') },
    { weight: 1, arbitrary: fc.constantFrom('aes', 'raw', 'missing', 'AES') },
    { weight: 1, arbitrary: anyText },
  ),
  msgSignature: fc.constantFrom('good', 'good', 'good', 'bad', 'missing'),
  body,
  // One in fifty is past the callback's 64 KB limit.
  oversize: fc.nat({ max: 49 }).map((n) => n === 0),
  extraQuery: fc.dictionary(fc.string({ maxLength: 8 }), anyText, { maxKeys: 2 }),
});
export type CallbackInput = typeof callbackInput extends fc.Arbitrary<infer T> ? T : never;

const OTHER_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';

/** Turns a generated input into the query and body WeChat would send (or a forger would). */
export function buildCallbackRequest(
  input: CallbackInput,
  secrets: CallbackSecrets,
  nowMs: number,
): { method: string; query: Record<string, string>; body: string } {
  const seconds = Math.floor(nowMs / 1000);
  const named: Record<string, string | undefined> = {
    now: String(seconds),
    stale: String(seconds - 3600),
    future: String(seconds + 3600),
    missing: undefined,
  };
  const timestamp = input.timestamp in named ? named[input.timestamp] : input.timestamp;
  const nonce = input.nonce === 'missing' ? undefined : input.nonce;

  let encrypt: string | undefined;
  let text = '';
  switch (input.body.kind) {
    case 'plain':
      text = input.body.xml;
      break;
    case 'encrypted':
      encrypt = encryptMessage(input.body.xml, {
        key: input.body.key === 'ours' ? secrets.aesKey : OTHER_KEY,
        appId: input.body.appId === 'ours' ? secrets.appId : 'wxffffffffffffffff',
      });
      text = input.body.compat
        ? input.body.xml.replace(/<\/xml>\s*$/, `<Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`)
        : `<xml><ToUserName><![CDATA[gh_4d00ed8d6399]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`;
      break;
    case 'encrypt-text':
      encrypt = input.body.text.replace(/]]>/g, '');
      text = `<xml><ToUserName><![CDATA[gh_4d00ed8d6399]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`;
      break;
  }
  if (input.oversize) text += ' '.repeat(70 * 1024);

  const query: Record<string, string> = { ...input.extraQuery, openid: 'oV5CrjpxgaGXNHIQigzNlgLTnwic' };
  if (timestamp !== undefined) query.timestamp = timestamp;
  if (nonce !== undefined) query.nonce = nonce;
  if (input.signature === 'good') query.signature = sha1Signature([secrets.token, timestamp ?? '', nonce ?? '']);
  if (input.signature === 'bad') query.signature = sha1Signature(['not-the-token', timestamp ?? '', nonce ?? '']);
  if (input.echostr !== null) query.echostr = input.echostr;
  const encryptType =
    input.encryptType === 'auto'
      ? encrypt === undefined
        ? undefined
        : 'aes'
      : input.encryptType === 'missing'
        ? undefined
        : input.encryptType;
  if (encryptType !== undefined) query.encrypt_type = encryptType;
  if (encrypt !== undefined && input.msgSignature !== 'missing') {
    query.msg_signature = sha1Signature([
      input.msgSignature === 'good' ? secrets.token : 'not-the-token',
      timestamp ?? '',
      nonce ?? '',
      encrypt,
    ]);
  }
  return { method: input.method, query, body: text };
}
