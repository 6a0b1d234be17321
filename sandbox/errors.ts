/**
 * WeChat reports every failure as HTTP 200 with `{errcode, errmsg}`. Handlers throw
 * `WeChatError`; the router turns it into that body. The `hint` names the offending field,
 * the way WeChat appends `hint: [...]` to its errmsg.
 */
export const ERRMSG: Readonly<Record<number, string>> = {
  [-1]: 'system error',
  40001: 'invalid credential, access_token is invalid or not latest',
  40002: 'invalid grant_type',
  40003: 'invalid openid',
  40004: 'invalid media type',
  40005: 'invalid file type',
  40006: 'invalid meida size',
  40007: 'invalid media_id',
  40008: 'invalid message type',
  40013: 'invalid appid',
  40014: 'invalid access_token',
  40059: 'invalid msg id',
  40060: 'invalid article idx',
  40066: 'invalid url',
  40073: 'invalid card id',
  40097: 'invalid args',
  40130: 'invalid openid list size, at least two openid',
  40132: 'invalid username',
  40152: 'invalid tag id',
  41001: 'access_token missing',
  41002: 'appid missing',
  41004: 'appsecret missing',
  41005: 'media data missing',
  42001: 'access_token expired',
  43002: 'require POST method',
  44002: 'empty post data',
  44003: 'empty news data',
  44004: 'empty content',
  45002: 'content size out of limit',
  45003: 'title size out of limit',
  45004: 'description size out of limit',
  45005: 'url size out of limit',
  45008: 'article size out of limit',
  45009: 'reach max api daily quota limit',
  45011: 'api minute-quota reach limit, mustslower than 60 times per minute',
  45028: 'has no masssend quota',
  45065: 'clientmsgid exist',
  45066: 'same clientmsgid retry too fast',
  45067: 'clientmsgid size out of limit',
  45083: 'the speed out of range',
  45084: 'No speed message',
  45110: 'author size out of limit',
  47001: 'data format error',
  48001: 'api unauthorized',
  // Our wording: WeChat's errmsg for these is not documented.
  89504: 'mass send to all needs administrator confirmation',
  89505: 'mass send is waiting for administrator confirmation',
};

export class WeChatError extends Error {
  readonly errmsg: string;

  constructor(
    readonly errcode: number,
    hint?: string,
    readonly extra: Readonly<Record<string, unknown>> = {},
  ) {
    const base = ERRMSG[errcode] ?? 'unknown error';
    const errmsg = hint === undefined ? base : `${base} hint: [${hint}]`;
    super(`${errcode} ${errmsg}`);
    this.name = 'WeChatError';
    this.errmsg = errmsg;
  }

  toBody(): Record<string, unknown> {
    return { errcode: this.errcode, errmsg: this.errmsg, ...this.extra };
  }
}
