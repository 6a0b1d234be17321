import * as z from 'zod/mini';
import type { MassSendJobReport } from '../reports/mass-send-job-report';
import { parseMassSendStatus, type MassSendStatus } from '../reports/mass-send-status';
import { fitsMsgIdRange, MSG_ID_PATTERN, MsgId } from '../wechat/msg-id';
import type { XmlObject } from './xml';

/**
 * The MASSSENDJOBFINISH push (事件推送群发结果) as a zod schema over the string tree of
 * `parseXml`, and its conversion to the report the product keeps (reports/mass-send-job-report.ts).
 * Field names follow WeChat's XML (note `MsgID` with a capital D here, while ordinary messages
 * say `MsgId`).
 */

// readFlatMassSendJobFinish below must read every field as these do (a property test holds it to them).
const INTEGER_PATTERN = /^-?\d{1,15}$/;
const COUNT_PATTERN = /^\d{1,15}$/;

const Text = z.string();
const IntegerText = z.pipe(
  z.string().check(z.trim(), z.regex(INTEGER_PATTERN)),
  z.transform((text) => Number(text)),
);
const CountText = z.pipe(
  z.string().check(z.trim(), z.regex(COUNT_PATTERN)),
  z.transform((text) => Number(text)),
);
const MsgIdText = z.pipe(z.string().check(z.trim()), MsgId);

const StatusText = z.pipe(
  z.string().check(z.refine((text) => parseMassSendStatus(text) !== undefined, 'unrecognised Status')),
  z.transform((text) => parseMassSendStatus(text) as MassSendStatus),
);

/**
 * A ResultList holds zero, one or many `<item>`: absent or empty reads as [], a single item
 * arrives as an object and several as an array (see parseXml).
 */
function resultList<T extends z.ZodMiniType>(item: T) {
  const Items = z.union([
    z.array(item),
    z.pipe(
      item,
      z.transform((one) => [one]),
    ),
  ]);
  const Listed = z.pipe(
    z.looseObject({ item: z.optional(Items) }),
    z.transform((list) => list.item ?? []),
  );
  const Empty = z.pipe(
    z.string().check(z.trim(), z.length(0)),
    z.transform((): z.output<T>[] => []),
  );
  return z.optional(z.union([Listed, Empty]));
}

/** Empty text stands for an empty block (`<ArticleUrlResult></ArticleUrlResult>`). */
function block<T extends z.ZodMiniType>(shape: T) {
  return z.optional(
    z.union([
      shape,
      z.pipe(
        z.string().check(z.trim(), z.length(0)),
        z.transform(() => null),
      ),
    ]),
  );
}

export const CopyrightCheckItem = z.object({
  ArticleIdx: CountText,
  UserDeclareState: z.optional(IntegerText),
  AuditState: z.optional(IntegerText),
  OriginalArticleUrl: z.optional(Text),
  OriginalArticleType: z.optional(IntegerText),
  CanReprint: z.optional(IntegerText),
  NeedReplaceContent: z.optional(IntegerText),
  NeedShowReprintSource: z.optional(IntegerText),
});
export type CopyrightCheckItem = z.output<typeof CopyrightCheckItem>;

export const ArticleUrlItem = z.object({
  ArticleIdx: CountText,
  ArticleUrl: Text,
});
export type ArticleUrlItem = z.output<typeof ArticleUrlItem>;

export const MassSendJobFinishEvent = z.object({
  ToUserName: Text,
  FromUserName: Text,
  CreateTime: CountText,
  MsgType: z.literal('event'),
  Event: z.literal('MASSSENDJOBFINISH'),
  MsgID: MsgIdText,
  Status: StatusText,
  TotalCount: CountText,
  FilterCount: CountText,
  SentCount: CountText,
  ErrorCount: CountText,
  CopyrightCheckResult: block(
    z.object({
      Count: z.optional(CountText),
      ResultList: resultList(CopyrightCheckItem),
      // 1 not a reprint, 2 reprint allowed to send, 3 reprint blocked; 0 has been seen.
      CheckState: z.optional(IntegerText),
    }),
  ),
  ArticleUrlResult: block(
    z.object({
      Count: z.optional(CountText),
      ResultList: resultList(ArticleUrlItem),
    }),
  ),
});
export type MassSendJobFinishEvent = z.output<typeof MassSendJobFinishEvent>;

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export function toMassSendJobReport(event: MassSendJobFinishEvent): MassSendJobReport {
  const report: MassSendJobReport = {
    msgId: event.MsgID,
    status: event.Status,
    createTime: event.CreateTime,
    toUserName: event.ToUserName,
    fromUserName: event.FromUserName,
    counts: {
      total: event.TotalCount,
      filter: event.FilterCount,
      sent: event.SentCount,
      error: event.ErrorCount,
    },
  };
  const copyright = event.CopyrightCheckResult;
  if (copyright !== undefined) {
    const results = (copyright?.ResultList ?? []).map((item) =>
      dropUndefined({
        articleIdx: item.ArticleIdx,
        userDeclareState: item.UserDeclareState,
        auditState: item.AuditState,
        originalArticleUrl: item.OriginalArticleUrl,
        originalArticleType: item.OriginalArticleType,
        canReprint: item.CanReprint,
        needReplaceContent: item.NeedReplaceContent,
        needShowReprintSource: item.NeedShowReprintSource,
      }),
    );
    report.copyrightCheck = dropUndefined({
      count: copyright?.Count ?? results.length,
      checkState: copyright?.CheckState,
      results,
    });
  }
  const urls = event.ArticleUrlResult;
  if (urls !== undefined) {
    report.articleUrls = (urls?.ResultList ?? []).map((item) => ({
      articleIdx: item.ArticleIdx,
      articleUrl: item.ArticleUrl,
    }));
  }
  return report;
}

/** COUNT_PATTERN's answer (1 to 15 ASCII digits) without a regex call: five per push. */
function isCount(text: string): boolean {
  if (text.length < 1 || text.length > 15) return false;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x30 || code > 0x39) return false;
  }
  return true;
}

const count = (value: unknown): number | undefined => {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  return isCount(text) ? Number(text) : undefined;
};

/**
 * The push as almost every one arrives (no CopyrightCheckResult, no ArticleUrlResult), read
 * without zod: the same checks and the same report as `MassSendJobFinishEvent` followed by
 * `toMassSendJobReport`, about ten times faster. Undefined for anything else, valid or not,
 * which then goes through the schema, the one judge of what is refused and why. A property
 * test holds the two to the same answer (test/shared/callback/mass-send-job-finish.test.ts).
 * MsgType and Event are the caller's to check.
 */
export function readFlatMassSendJobFinish(root: XmlObject): MassSendJobReport | undefined {
  if (root.CopyrightCheckResult !== undefined || root.ArticleUrlResult !== undefined) return undefined;
  const { ToUserName, FromUserName, MsgID, Status } = root;
  if (typeof ToUserName !== 'string' || typeof FromUserName !== 'string') return undefined;
  if (typeof MsgID !== 'string' || typeof Status !== 'string') return undefined;
  const msgId = MsgID.trim();
  // Only a 20-digit id can pass 2^64 - 1.
  if (!MSG_ID_PATTERN.test(msgId) || (msgId.length === 20 && !fitsMsgIdRange(msgId))) return undefined;
  const status = parseMassSendStatus(Status);
  const createTime = count(root.CreateTime);
  const total = count(root.TotalCount);
  const filter = count(root.FilterCount);
  const sent = count(root.SentCount);
  const error = count(root.ErrorCount);
  if (status === undefined || createTime === undefined || total === undefined || filter === undefined) return undefined;
  if (sent === undefined || error === undefined) return undefined;
  return {
    msgId: msgId as MsgId,
    status,
    createTime,
    toUserName: ToUserName,
    fromUserName: FromUserName,
    counts: { total, filter, sent, error },
  };
}
