import { describe, expect, it } from 'vitest';
import { HttpError } from '../../../shared/http/http-error';
import { toHttpError, WECHAT_ERRORS } from '../../../shared/api/wechat-errors';
import {
  AccessTokenError,
  WeChatApiError,
  WeChatResponseError,
  WeChatTransportError,
} from '../../../shared/wechat/errors';

const apiError = (errcode: number, path = '/cgi-bin/message/mass/sendall') =>
  new WeChatApiError(errcode, `errmsg ${errcode}`, path);

describe('toHttpError', () => {
  it('follows the table for every listed errcode', () => {
    for (const [errcode, rule] of Object.entries(WECHAT_ERRORS)) {
      const err = toHttpError(apiError(Number(errcode))) as HttpError;
      expect(err).toBeInstanceOf(HttpError);
      expect([err.status, err.code]).toEqual([rule.status, rule.code]);
      expect(err.details).toMatchObject({ errcode: Number(errcode), errmsg: `errmsg ${errcode}` });
      if (rule.retryAfterSeconds) expect(err.headers).toEqual({ 'retry-after': String(rule.retryAfterSeconds) });
    }
  });

  it('names the field the caller gave for a rejected input', () => {
    const err = toHttpError(apiError(40003), { openId: 'openIds' }) as HttpError;
    expect(err.fields).toEqual([{ path: 'openIds', reason: expect.stringContaining('40003') }]);
  });

  it('sends token errcodes left after the retry to 502', () => {
    for (const errcode of [40001, 40014, 42001]) {
      expect(toHttpError(apiError(errcode))).toMatchObject({ status: 502, code: 'wechat_token_rejected' });
    }
  });

  it('blames the token call, not the request, when the token call itself fails', () => {
    expect(toHttpError(apiError(40001, '/cgi-bin/stable_token'))).toMatchObject({
      status: 502,
      code: 'wechat_token_unavailable',
    });
    expect(toHttpError(new AccessTokenError('refresh failed'))).toMatchObject({
      status: 502,
      code: 'wechat_token_unavailable',
    });
  });

  it('maps transport and reply failures', () => {
    expect(toHttpError(new WeChatTransportError('timeout', '/x'))).toMatchObject({
      status: 504,
      code: 'wechat_timeout',
    });
    expect(toHttpError(new WeChatTransportError('http_status', '/x', 503))).toMatchObject({
      status: 502,
      message: 'WeChat answered HTTP 503',
    });
    expect(toHttpError(new WeChatResponseError('/x', 'not JSON'))).toMatchObject({
      status: 502,
      code: 'wechat_bad_reply',
    });
  });

  it('passes our own bugs through, to become a generic 500', () => {
    const bug = new TypeError('oops');
    expect(toHttpError(bug)).toBe(bug);
  });
});
