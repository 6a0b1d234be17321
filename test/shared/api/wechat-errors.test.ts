import { describe, expect, it } from 'vitest';
import { type ErrorStatus, HttpError } from '../../../shared/http/http-error';
import { SEND_OUTCOMES } from '../../../shared/api/send-outcomes';
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

  it('makes every caller-caused errcode of the mass-send and material endpoints a 4xx naming a field', () => {
    const callerCaused = [
      40003, 40004, 40005, 40006, 40007, 40008, 40009, 40031, 40032, 40059, 40060, 40073, 40130, 40132, 40137, 40152,
      41005, 43004, 44003, 44004, 45001, 45002, 45003, 45004, 45005, 45007, 45008, 45067, 45083, 45084,
    ];
    for (const errcode of callerCaused) {
      const rule = WECHAT_ERRORS[errcode];
      expect(rule?.status, String(errcode)).toBeGreaterThanOrEqual(400);
      expect(rule?.status, String(errcode)).toBeLessThan(500);
      expect(rule?.field, String(errcode)).toBeDefined();
    }
  });

  it('answers 45002 with 400 naming the message content', () => {
    const err = toHttpError(apiError(45002), { content: 'message.content' }) as HttpError;
    expect([err.status, err.code]).toEqual([400, 'content_too_long']);
    expect(err.fields).toEqual([{ path: 'message.content', reason: expect.stringContaining('45002') }]);
  });

  it("keeps 502 for what only WeChat or this product's own request can cause", () => {
    for (const errcode of [47001, 40013, 41001, 43002]) {
      expect(toHttpError(apiError(errcode)), String(errcode)).toMatchObject({ status: 502, code: 'wechat_error' });
    }
  });

  it('says what an errcode means on a route that gives it another meaning', () => {
    const err = toHttpError(apiError(40059, '/cgi-bin/message/mass/delete'), {}, {}, { 40059: 'not deletable' });
    expect(err).toMatchObject({ status: 404, code: 'msg_id_not_found', message: 'not deletable' });
  });

  it('does not talk about clientMsgId for -1 outside a send', () => {
    expect((toHttpError(apiError(-1, '/cgi-bin/message/mass/get')) as HttpError).message).not.toMatch(/clientMsgId/);
  });

  it('sends token errcodes left after the retry to 502', () => {
    for (const errcode of [40001, 40014, 42001]) {
      expect(toHttpError(apiError(errcode))).toMatchObject({ status: 502, code: 'wechat_token_rejected' });
    }
  });

  it("blames the token call, not the request, when there is no token, keeping the token call's errcode", () => {
    const tokenCall = apiError(40125, '/cgi-bin/stable_token');
    expect(toHttpError(new AccessTokenError('no access token', { cause: tokenCall }))).toMatchObject({
      status: 502,
      code: 'wechat_token_unavailable',
      details: { errcode: 40125 },
    });
    expect(toHttpError(new AccessTokenError('waited too long'))).toMatchObject({
      status: 502,
      code: 'wechat_token_unavailable',
      details: {},
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

  it('has a row for an errcode that is also a send outcome only with the case it covers', () => {
    for (const errcode of Object.keys(SEND_OUTCOMES)) {
      const row = WECHAT_ERRORS[Number(errcode)];
      if (row) expect(row.when).toMatch(new RegExp(`^${errcode} `));
    }
  });

  it('passes our own bugs through, to become a generic 500', () => {
    const bug = new TypeError('oops');
    expect(toHttpError(bug)).toBe(bug);
  });
});

describe('HttpError', () => {
  it('carries only a 4xx or 5xx status: a 200 or a 202 is an answer, not an error (checked by tsc)', () => {
    const status = (value: ErrorStatus) => new HttpError(value, 'code', 'message').status;
    // @ts-expect-error 200 is not an error status
    status(200);
    // @ts-expect-error 202 is not an error status
    status(202);
    // @ts-expect-error past 599
    status(600);
    expect([status(400), status(409), status(599)]).toEqual([400, 409, 599]);
  });
});
