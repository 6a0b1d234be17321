import { encryptMessage } from '../shared/wechat/callback-crypto';
import { sha1Signature } from '../shared/wechat/signature';

/** Secrets made up for the run; none of them leaves loopback. */
export const BENCH_API_KEY = 'bench-api-key-5f1c0e7d9a2b';
export const BENCH_CALLBACK_TOKEN = 'benchCallbackToken7Qw';
export const BENCH_AES_KEY = 'bEnChAesKey0123456789abcdefghijklmnopqrstUV';

export interface EventRequest {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
}

/** The event Tencent Cloud API Gateway hands an SCF function for one HTTP request. */
export function apiGatewayEvent(request: EventRequest, requestId = 'bench-request') {
  return {
    requestContext: {
      serviceId: 'service-bench',
      path: request.path,
      httpMethod: request.method,
      requestId,
      identity: {},
      sourceIp: '127.0.0.1',
      stage: 'release',
    },
    headers: { host: 'bench.local', ...request.headers },
    body: request.body ?? '',
    isBase64Encoded: false,
    pathParameters: {},
    queryStringParameters: {},
    headerParameters: {},
    stageVariables: {},
    path: request.path,
    queryString: request.query ?? {},
    httpMethod: request.method,
  };
}

/** A JSON API request with the bench's API key. */
export function apiRequest(
  method: EventRequest['method'],
  path: string,
  body?: unknown,
  query?: Record<string, string>,
): EventRequest {
  const headers: Record<string, string> = { authorization: `Bearer ${BENCH_API_KEY}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  return {
    method,
    path,
    headers,
    ...(query ? { query } : {}),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  };
}

/** A successful send's MASSSENDJOBFINISH, as WeChat pushes it. */
export function massSendJobFinishXml(msgId: string, ghId: string, createTime: number): string {
  return [
    '<xml>',
    `<ToUserName><![CDATA[${ghId}]]></ToUserName>`,
    '<FromUserName><![CDATA[mphelper]]></FromUserName>',
    `<CreateTime>${createTime}</CreateTime>`,
    '<MsgType><![CDATA[event]]></MsgType>',
    '<Event><![CDATA[MASSSENDJOBFINISH]]></Event>',
    `<MsgID>${msgId}</MsgID>`,
    '<Status><![CDATA[send success]]></Status>',
    '<TotalCount>120</TotalCount>',
    '<FilterCount>118</FilterCount>',
    '<SentCount>117</SentCount>',
    '<ErrorCount>1</ErrorCount>',
    '</xml>',
  ].join('\n');
}

export interface SignedPush {
  query: Record<string, string>;
  body: string;
  /** The Encrypt text inside `body`. */
  encrypt: string;
}

/** A safe-mode (encrypt_type=aes) push signed and encrypted the way WeChat does it. */
export function signedEncryptedPush(xml: string, appId: string, nowMs: number, nonce: string): SignedPush {
  const encrypt = encryptMessage(xml, { key: BENCH_AES_KEY, appId });
  const timestamp = String(Math.floor(nowMs / 1000));
  return {
    query: {
      signature: sha1Signature([BENCH_CALLBACK_TOKEN, timestamp, nonce]),
      timestamp,
      nonce,
      encrypt_type: 'aes',
      msg_signature: sha1Signature([BENCH_CALLBACK_TOKEN, timestamp, nonce, encrypt]),
    },
    body: `<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`,
    encrypt,
  };
}
