import { describe, expect, it } from 'vitest';
import type { MassSendJobReport } from '../../../shared/reports/mass-send-job-report';
import { CallbackValidationError, parseCallbackMessage, type CallbackMessage } from '../../../shared/callback/messages';
import { parseMassSendStatus } from '../../../shared/reports/mass-send-status';
import { parseXml } from '../../../shared/callback/xml';
import {
  massSendJobFinish,
  massSendJobFinishAdminRejected,
  massSendJobFinishDocumentedSample,
  massSendJobFinishEmptyArticleUrlResult,
  massSendJobFinishOneArticleUrl,
  massSendJobFinishThreeArticleUrls,
  subscribeEvent,
  textMessage,
} from '../../fixtures/mass-send-job-finish';

function parse(xml: string): CallbackMessage {
  return parseCallbackMessage(parseXml(xml, { maxBytes: 64 * 1024 }).value);
}

function report(xml: string): MassSendJobReport {
  const message = parse(xml);
  if (message.kind !== 'mass_send_job_finish') throw new Error(`expected a report, got ${message.kind}`);
  return message.report;
}

function invalidField(xml: string): string | undefined {
  try {
    parse(xml);
  } catch (error) {
    if (error instanceof CallbackValidationError) return error.field;
    throw error;
  }
  return undefined;
}

describe('parseCallbackMessage for MASSSENDJOBFINISH', () => {
  it('reads the documented sample push with its CopyrightCheckResult', () => {
    expect(report(massSendJobFinishDocumentedSample)).toEqual({
      msgId: '1000001625',
      status: { kind: 'error', code: 30003, reason: 'originality_check_reprint_not_sent' },
      createTime: 1481013459,
      toUserName: 'gh_4d00ed8d6399',
      fromUserName: 'oV5CrjpxgaGXNHIQigzNlgLTnwic',
      counts: { total: 0, filter: 0, sent: 0, error: 0 },
      copyrightCheck: {
        count: 2,
        checkState: 2,
        results: [1, 2].map((i) => ({
          articleIdx: i,
          userDeclareState: 0,
          auditState: 2,
          originalArticleUrl: `Url_${i}`,
          originalArticleType: 1,
          canReprint: 1,
          needReplaceContent: 1,
          needShowReprintSource: 1,
        })),
      },
    });
  });

  it('reads a push with an empty ArticleUrlResult as an empty list', () => {
    const result = report(massSendJobFinishEmptyArticleUrlResult);
    expect(result.articleUrls).toEqual([]);
    expect(result.copyrightCheck).toEqual({ count: 0, checkState: 1, results: [] });
    expect(result.status).toEqual({ kind: 'success' });
    expect(result.counts).toEqual({ total: 120, filter: 118, sent: 117, error: 1 });
  });

  it('reads a ResultList with a single item as a one-element list', () => {
    expect(report(massSendJobFinishOneArticleUrl).articleUrls).toEqual([
      { articleIdx: 1, articleUrl: 'https://mp.weixin.qq.com/s?__biz=MzA&mid=1&idx=1&sn=abc' },
    ]);
  });

  it('reads a ResultList with many items in order', () => {
    expect(report(massSendJobFinishThreeArticleUrls).articleUrls?.map((a) => a.articleIdx)).toEqual([1, 2, 3]);
  });

  it('leaves absent blocks out of the report', () => {
    const result = report(massSendJobFinish());
    expect(result).not.toHaveProperty('copyrightCheck');
    expect(result).not.toHaveProperty('articleUrls');
  });

  it('treats self-closing and whitespace-only blocks as empty', () => {
    const result = report(
      massSendJobFinish({ extra: '<CopyrightCheckResult/>\n<ArticleUrlResult>\n</ArticleUrlResult>' }),
    );
    expect(result.copyrightCheck).toEqual({ count: 0, results: [] });
    expect(result.articleUrls).toEqual([]);
  });

  it('keeps a MsgID beyond 2^31 exact, as a string', () => {
    expect(report(massSendJobFinish({ msgId: '3147494552' })).msgId).toBe('3147494552');
    expect(report(massSendJobFinish({ msgId: '9007199254740993123' })).msgId).toBe('9007199254740993123');
  });

  it('keeps the admin-rejected status err(40001) apart from the token errcode', () => {
    expect(report(massSendJobFinishAdminRejected).status).toEqual({
      kind: 'error',
      code: 40001,
      reason: 'admin_rejected',
    });
  });

  it('names the field that is missing', () => {
    const withoutMsgId = massSendJobFinish().replace(/<MsgID>.*<\/MsgID>/, '');
    expect(invalidField(withoutMsgId)).toBe('MsgID');
    const withoutSent = massSendJobFinish().replace(/<SentCount>.*<\/SentCount>/, '');
    expect(invalidField(withoutSent)).toBe('SentCount');
  });

  it('names the field that cannot be read', () => {
    expect(invalidField(massSendJobFinish({ msgId: '12a' }))).toBe('MsgID');
    expect(invalidField(massSendJobFinish({ status: ' ' }))).toBe('Status');
    expect(invalidField(massSendJobFinish().replace('<TotalCount>120', '<TotalCount>-1'))).toBe('TotalCount');
    expect(
      invalidField(
        massSendJobFinish({
          extra:
            '<ArticleUrlResult><ResultList><item><ArticleIdx>x</ArticleIdx><ArticleUrl>u</ArticleUrl></item>' +
            '</ResultList></ArticleUrlResult>',
        }),
      ),
    ).toMatch(/^ArticleUrlResult/);
  });

  it('rejects a body whose root holds only text', () => {
    expect(invalidField('<xml>hello</xml>')).toBe('xml');
  });
});

describe('parseCallbackMessage for other callbacks', () => {
  it('ignores a subscribe event', () => {
    expect(parse(subscribeEvent)).toEqual({ kind: 'ignored', msgType: 'event', event: 'subscribe' });
  });

  it('ignores a text message', () => {
    expect(parse(textMessage)).toEqual({ kind: 'ignored', msgType: 'text' });
  });

  it('asks for MsgType when it is missing', () => {
    expect(invalidField('<xml><ToUserName>a</ToUserName></xml>')).toBe('MsgType');
  });
});

describe('parseMassSendStatus', () => {
  it('reads success and fail', () => {
    expect(parseMassSendStatus('send success')).toEqual({ kind: 'success' });
    expect(parseMassSendStatus('send fail')).toEqual({ kind: 'fail' });
  });

  it('reads the spellings without a space and in any case, as the official sample and many SDKs write them', () => {
    for (const text of ['sendsuccess', 'SendSuccess', 'SEND SUCCESS', ' send  success ', 'send\tsuccess']) {
      expect(parseMassSendStatus(text), text).toEqual({ kind: 'success' });
    }
    for (const text of ['sendfail', 'SendFail', 'SEND FAIL', 'send  fail']) {
      expect(parseMassSendStatus(text), text).toEqual({ kind: 'fail' });
    }
    expect(parseMassSendStatus('ERR(40002)')).toEqual({
      kind: 'error',
      code: 40002,
      reason: 'admin_confirmation_timeout',
    });
  });

  it('names every documented audit reason', () => {
    const reasons: Record<number, string> = {
      10001: 'ads',
      20001: 'politics',
      20002: 'porn',
      20004: 'society',
      20006: 'crime',
      20008: 'fraud',
      20013: 'copyright',
      21000: 'other',
      22000: 'mutual_promotion',
      30001: 'originality_check_system_error',
      30002: 'originality_check_not_sendable',
      30003: 'originality_check_reprint_not_sent',
      40001: 'admin_rejected',
      40002: 'admin_confirmation_timeout',
    };
    for (const [code, reason] of Object.entries(reasons)) {
      expect(parseMassSendStatus(`err(${code})`)).toEqual({ kind: 'error', code: Number(code), reason });
    }
  });

  it('keeps an undocumented code with the reason unknown', () => {
    expect(parseMassSendStatus('err(12345)')).toEqual({ kind: 'error', code: 12345, reason: 'unknown' });
  });

  it('keeps an undocumented Status text verbatim so the report is not lost', () => {
    expect(parseMassSendStatus('err()')).toEqual({ kind: 'unrecognised', text: 'err()' });
    expect(parseMassSendStatus(' sent, mostly ')).toEqual({ kind: 'unrecognised', text: 'sent, mostly' });
  });

  it('returns undefined for an empty or absurdly long Status', () => {
    expect(parseMassSendStatus('  ')).toBeUndefined();
    expect(parseMassSendStatus('x'.repeat(101))).toBeUndefined();
  });
});
