import type { MassMessage } from './state';

/**
 * The MASSSENDJOBFINISH event as WeChat pushes it. Note `MsgID` with a capital D (ordinary
 * messages say `MsgId`). For mpnews WeChat adds the originality check (CopyrightCheckResult)
 * and the article URLs (ArticleUrlResult).
 */

// Sender of the push: the mass-send helper (群发助手), shown as an OpenID in WeChat's sample.
export const MASS_HELPER_OPENID = 'oV5CrjpxgaGXNHIQigzNlgLTnwic';

export function cdata(value: string): string {
  return `<![CDATA[${value.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

// CheckState: 1 not a reprint, 2 reprint allowed, 3 reprint blocked (err(30002)/err(30003)).
function checkState(status: string): number {
  return status === 'err(30002)' || status === 'err(30003)' ? 3 : 1;
}

function copyrightCheckResult(msg: MassMessage, articleCount: number): string {
  const items = Array.from({ length: articleCount }, (_, i) =>
    [
      '<item>',
      `<ArticleIdx>${i + 1}</ArticleIdx>`,
      '<UserDeclareState>0</UserDeclareState>',
      '<AuditState>0</AuditState>',
      `<OriginalArticleUrl>${cdata('')}</OriginalArticleUrl>`,
      '<OriginalArticleType>0</OriginalArticleType>',
      '<CanReprint>0</CanReprint>',
      '<NeedReplaceContent>0</NeedReplaceContent>',
      '<NeedShowReprintSource>0</NeedShowReprintSource>',
      '</item>',
    ].join(''),
  );
  return (
    `<CopyrightCheckResult><Count>${articleCount}</Count><ResultList>${items.join('')}</ResultList>` +
    `<CheckState>${checkState(msg.pushStatus)}</CheckState></CopyrightCheckResult>`
  );
}

function articleUrlResult(urls: readonly string[]): string {
  const items = urls.map(
    (url, i) => `<item><ArticleIdx>${i + 1}</ArticleIdx><ArticleUrl>${cdata(url)}</ArticleUrl></item>`,
  );
  return `<ArticleUrlResult><Count>${urls.length}</Count><ResultList>${items.join('')}</ResultList></ArticleUrlResult>`;
}

export function buildJobFinishXml(msg: MassMessage, ghId: string, createTime: number): string {
  const { counts } = msg;
  const parts = [
    '<xml>',
    `<ToUserName>${cdata(ghId)}</ToUserName>`,
    `<FromUserName>${cdata(MASS_HELPER_OPENID)}</FromUserName>`,
    `<CreateTime>${createTime}</CreateTime>`,
    `<MsgType>${cdata('event')}</MsgType>`,
    `<Event>${cdata('MASSSENDJOBFINISH')}</Event>`,
    `<MsgID>${msg.msgId}</MsgID>`,
    `<Status>${cdata(msg.pushStatus)}</Status>`,
    `<TotalCount>${counts.total}</TotalCount>`,
    `<FilterCount>${counts.filter}</FilterCount>`,
    `<SentCount>${counts.sent}</SentCount>`,
    `<ErrorCount>${counts.error}</ErrorCount>`,
  ];
  if (msg.content.msgtype === 'mpnews') {
    parts.push(copyrightCheckResult(msg, msg.content.articleCount));
    parts.push(articleUrlResult(msg.status === 'SEND_SUCCESS' ? msg.articleUrls : []));
  }
  parts.push('</xml>');
  return parts.join('');
}
