import * as z from 'zod/mini';

/**
 * Length limits checked before calling WeChat, so a too-long field is a 400 naming it instead
 * of a wasted call. Articles (/media/news): WeChat's draft_add page (新增草稿) states title ≤ 32
 * characters, author ≤ 16, digest ≤ 128, the same as material-schemas.ts uses for drafts.
 * Text: WeChat documents no limit for a text mass send and answers 45002 past it; asked about
 * such limits it answered "the same as the Official Account console"
 * (developers.weixin.qq.com/community/develop/doc/000a6406c10910304f000c32561c00), whose text
 * mass send holds 600 characters. Characters are Unicode code points. WeChat's own check still
 * applies after ours (45002, 45003, 45004, 45110 are 400s naming the same fields).
 */
export const TEXT_CONTENT_MAX_CHARS = 600;
export const ARTICLE_TITLE_MAX_CHARS = 32;
export const ARTICLE_AUTHOR_MAX_CHARS = 16;
export const ARTICLE_DIGEST_MAX_CHARS = 128;

export function charCount(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/**
 * A string check: at most `limit` characters, saying where the limit comes from. It builds a
 * check and nothing else, so esbuild may drop a call nobody uses (scripts/pure-schemas.ts).
 */
/* @__NO_SIDE_EFFECTS__ */
export function maxChars(limit: number) {
  return z.refine<string>((text) => charCount(text) <= limit, {
    error: (issue) => `must hold at most ${limit} characters (WeChat's limit), has ${charCount(String(issue.input))}`,
  });
}
