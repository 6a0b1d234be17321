import * as z from 'zod/mini';
import { MsgId } from '../wechat/msg-id';
import { MassSendStatus } from './mass-send-status';

/**
 * What the product keeps of one MASSSENDJOBFINISH push: the one schema the callback writes, the
 * report store reads back and the status answer documents. Objects are not strict, so a record
 * written by a newer version (an added field) still reads; the parsed value holds only these.
 */

const Count = z.number().check(z.int(), z.minimum(0));
const Code = z.number().check(z.int());

export const CopyrightCheckResult = z.object({
  count: Count,
  // 1 not a reprint, 2 reprint allowed to send, 3 reprint blocked; 0 has been seen.
  checkState: z.optional(Code),
  results: z.array(
    z.object({
      articleIdx: Count,
      userDeclareState: z.optional(Code),
      auditState: z.optional(Code),
      originalArticleUrl: z.optional(z.string()),
      originalArticleType: z.optional(Code),
      canReprint: z.optional(Code),
      needReplaceContent: z.optional(Code),
      needShowReprintSource: z.optional(Code),
    }),
  ),
});
export type CopyrightCheckResult = z.infer<typeof CopyrightCheckResult>;

export const ArticleUrl = z.object({ articleIdx: Count, articleUrl: z.string() });
export type ArticleUrl = z.infer<typeof ArticleUrl>;

export const MassSendJobReport = z.object({
  msgId: MsgId,
  // `send success`, `send fail`, `err(N)` with N an audit reason, or a text WeChat never documented.
  status: MassSendStatus,
  /** Unix seconds, WeChat's CreateTime. */
  createTime: Count,
  toUserName: z.string(),
  fromUserName: z.string(),
  /** Approximate: WeChat pushes shortly before the job has fully finished. */
  counts: z.object({ total: Count, filter: Count, sent: Count, error: Count }),
  copyrightCheck: z.optional(CopyrightCheckResult),
  articleUrls: z.optional(z.array(ArticleUrl)),
});
export type MassSendJobReport = z.infer<typeof MassSendJobReport>;
