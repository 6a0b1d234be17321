// What comes before and after the Encrypt text when WeChat lays a safe-mode envelope out: `<xml>`,
// a ToUserName CDATA, then the Encrypt CDATA, and `</xml>`, blanks allowed between them (`\s`,
// which parseXml's reader treats as blanks too), neither CDATA holding `]`.
const HEAD = /<xml>\s*<ToUserName><!\[CDATA\[[^\]]*\]\]><\/ToUserName>\s*<Encrypt><!\[CDATA\[/y;
const TAIL = /\]\]><\/Encrypt>\s*<\/xml>\s*$/y;

/**
 * The `Encrypt` of a safe-mode envelope laid out as WeChat sends it; undefined for any other
 * layout (compatible mode's extra fields, another order, comments, entities), which the caller
 * reads with parseXml. A strict subset of what parseXml reads, read the same: CDATA is verbatim
 * there too. The Encrypt text itself is only searched for its end (indexOf), not matched
 * character by character: one regex over the whole envelope took longer than both signature
 * checks. A property test holds it to parseXml.
 */
export function readSafeEnvelope(body: string): string | undefined {
  HEAD.lastIndex = 0;
  if (!HEAD.test(body)) return undefined;
  const start = HEAD.lastIndex;
  const end = body.indexOf(']', start);
  if (end < 0) return undefined;
  TAIL.lastIndex = end;
  return TAIL.test(body) ? body.slice(start, end) : undefined;
}
