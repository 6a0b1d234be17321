/**
 * The XML reader as it stood before issue 13 made shared/callback/xml.ts faster, kept as it was
 * (only its exports renamed) as the oracle of xml.test.ts: the faster reader must build the same
 * tree and refuse with the same code for any input. One known difference: here `&constructor;`
 * and the other Object.prototype names decode to a function's text; the product refuses them.
 * Test code only.
 */
type XmlValue = string | XmlObject;
interface XmlObject {
  [name: string]: XmlValue | XmlValue[];
}
interface XmlDocument {
  root: string;
  value: XmlValue;
}

type XmlErrorCode =
  | 'too_large'
  | 'too_deep'
  | 'doctype'
  | 'entity_declaration'
  | 'processing_instruction'
  | 'unknown_entity'
  | 'mismatched_tag'
  | 'mixed_content'
  | 'malformed';

export class XmlErrorAsBefore extends Error {
  override readonly name = 'XmlError';
  constructor(
    readonly code: XmlErrorCode,
    message: string,
    readonly position?: number,
  ) {
    super(position === undefined ? message : `${message} at offset ${position}`);
  }
}

interface ParseXmlOptions {
  /** UTF-8 bytes; larger input is refused before any parsing. */
  maxBytes: number;
  /** Element nesting; WeChat's deepest body (ResultList/item) is 4 levels. */
  maxDepth?: number;
}

const NAME = /[A-Za-z_][\w.:-]*/y;
const CLOSE = /\s*>/y;
const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(text: string, offset: number): string {
  if (!text.includes('&')) return text;
  return text.replace(/&([^;&<\s]*);?/g, (whole, body: string, at: number) => {
    if (!whole.endsWith(';')) throw new XmlErrorAsBefore('malformed', 'unterminated entity', offset + at);
    const named = PREDEFINED[body];
    if (named !== undefined) return named;
    const numeric = /^#(?:x([0-9A-Fa-f]{1,6})|([0-9]{1,7}))$/.exec(body);
    if (!numeric) throw new XmlErrorAsBefore('unknown_entity', 'unknown entity', offset + at);
    const code = numeric[1] !== undefined ? parseInt(numeric[1], 16) : Number(numeric[2]);
    const allowed =
      code === 0x9 ||
      code === 0xa ||
      code === 0xd ||
      (code >= 0x20 && code <= 0xd7ff) ||
      (code >= 0xe000 && code <= 0xfffd) ||
      (code >= 0x10000 && code <= 0x10ffff);
    if (!allowed) throw new XmlErrorAsBefore('malformed', 'invalid character reference', offset + at);
    return String.fromCodePoint(code);
  });
}

interface Frame {
  name: string;
  text: string;
  children: XmlObject | undefined;
}

function addChild(frame: Frame, name: string, value: XmlValue): void {
  frame.children ??= Object.create(null) as XmlObject;
  const existing = frame.children[name];
  if (existing === undefined) frame.children[name] = value;
  else if (Array.isArray(existing)) existing.push(value);
  else frame.children[name] = [existing, value];
}

function frameValue(frame: Frame, at: number): XmlValue {
  if (!frame.children) return frame.text;
  if (frame.text.trim() !== '') throw new XmlErrorAsBefore('mixed_content', 'text beside child elements', at);
  return frame.children;
}

export function parseXmlAsBefore(input: string, options: ParseXmlOptions): XmlDocument {
  if (Buffer.byteLength(input, 'utf8') > options.maxBytes) {
    throw new XmlErrorAsBefore('too_large', 'XML body exceeds the size limit');
  }
  const maxDepth = options.maxDepth ?? 16;
  const stack: Frame[] = [];
  let document: XmlDocument | undefined;
  let pos = input.charCodeAt(0) === 0xfeff ? 1 : 0;

  const fail = (code: XmlErrorCode, message: string): never => {
    throw new XmlErrorAsBefore(code, message, pos);
  };
  const expect = (token: string, what: string): number => {
    const end = input.indexOf(token, pos);
    if (end < 0) fail('malformed', `unterminated ${what}`);
    return end;
  };
  const readName = (): string => {
    NAME.lastIndex = pos;
    const match = NAME.exec(input);
    if (!match) return fail('malformed', 'expected a name');
    pos += match[0].length;
    return match[0];
  };

  const skipWhitespace = (): number => {
    const start = pos;
    while (pos < input.length && /\s/.test(input[pos] as string)) pos += 1;
    return pos - start;
  };
  // Attributes are read past and dropped, but they must be well formed. True for `<a/>`.
  const skipAttributes = (): boolean => {
    for (;;) {
      const spaced = skipWhitespace() > 0;
      if (input.startsWith('/>', pos)) {
        pos += 2;
        return true;
      }
      if (input[pos] === '>') {
        pos += 1;
        return false;
      }
      if (!spaced) fail('malformed', 'malformed start tag');
      readName();
      skipWhitespace();
      if (input[pos] !== '=') fail('malformed', 'malformed attribute');
      pos += 1;
      skipWhitespace();
      const quote = input[pos];
      if (quote !== '"' && quote !== "'") return fail('malformed', 'unquoted attribute');
      pos += 1;
      const end = expect(quote, 'attribute value');
      if (input.slice(pos, end).includes('<')) fail('malformed', 'malformed attribute');
      pos = end + 1;
    }
  };

  // A leading XML declaration is the only processing instruction allowed.
  const lead = /^\s*<\?xml\s[^?]*\?>/.exec(input.slice(pos, pos + 200));
  if (lead) pos += lead[0].length;

  while (pos < input.length) {
    const lt = input.indexOf('<', pos);
    const textEnd = lt < 0 ? input.length : lt;
    if (textEnd > pos) {
      const raw = input.slice(pos, textEnd);
      const top = stack[stack.length - 1];
      if (top) top.text += decodeEntities(raw, pos);
      else if (raw.trim() !== '') fail('malformed', 'text outside the root element');
      pos = textEnd;
      continue;
    }

    if (input.startsWith('<![CDATA[', pos)) {
      const top = stack[stack.length - 1];
      if (!top) fail('malformed', 'CDATA outside the root element');
      const end = expect(']]>', 'CDATA section');
      (top as Frame).text += input.slice(pos + 9, end);
      pos = end + 3;
    } else if (input.startsWith('<!--', pos)) {
      pos = expect('-->', 'comment') + 3;
    } else if (/^<!DOCTYPE/i.test(input.slice(pos, pos + 9))) {
      fail('doctype', 'DOCTYPE is not allowed');
    } else if (/^<!ENTITY/i.test(input.slice(pos, pos + 8))) {
      fail('entity_declaration', 'ENTITY declarations are not allowed');
    } else if (input.startsWith('<?', pos)) {
      fail('processing_instruction', 'processing instructions are not allowed');
    } else if (input.startsWith('<!', pos)) {
      fail('malformed', 'unexpected markup declaration');
    } else if (input.startsWith('</', pos)) {
      pos += 2;
      const name = readName();
      CLOSE.lastIndex = pos;
      if (!CLOSE.exec(input)) fail('malformed', 'malformed closing tag');
      pos = CLOSE.lastIndex;
      const frame = stack.pop();
      if (!frame || frame.name !== name) fail('mismatched_tag', 'closing tag does not match');
      const value = frameValue(frame as Frame, pos);
      const parent = stack[stack.length - 1];
      if (parent) addChild(parent, name, value);
      else document = { root: name, value };
    } else {
      if (document) fail('malformed', 'content after the root element');
      pos += 1;
      const name = readName();
      const selfClosing = skipAttributes();
      if (stack.length + 1 > maxDepth) fail('too_deep', 'XML nested too deeply');
      const frame: Frame = { name, text: '', children: undefined };
      if (selfClosing) {
        const parent = stack[stack.length - 1];
        if (parent) addChild(parent, name, '');
        else document = { root: name, value: '' };
      } else {
        stack.push(frame);
      }
    }
  }

  if (stack.length > 0 || !document) fail('malformed', 'unexpected end of XML');
  return document as XmlDocument;
}

// readFlatDocument as issue 13 first wrote it, reading each element's name and value from exec's
// captures: the oracle of the version that slices them at positions instead (xml.test.ts).
const FLAT_CHILD = /\s*<([A-Za-z_][\w.:-]*)>(?:<!\[CDATA\[([^\]]*)\]\]>|([^<&]*))<\/\1>/y;
const FLAT_END = /\s*<\/xml>\s*$/y;

export function readFlatDocumentByCaptures(input: string): XmlDocument | undefined {
  if (!input.startsWith('<xml>')) return undefined;
  let pos = 5;
  let children: XmlObject | undefined;
  for (;;) {
    FLAT_CHILD.lastIndex = pos;
    const match = FLAT_CHILD.exec(input);
    if (!match) break;
    pos = FLAT_CHILD.lastIndex;
    const name = match[1] as string;
    const value = (match[2] ?? match[3]) as string;
    children ??= Object.create(null) as XmlObject;
    const existing = Object.hasOwn(children, name) ? children[name] : undefined;
    if (existing === undefined) Object.defineProperty(children, name, { value, enumerable: true, writable: true });
    else if (Array.isArray(existing)) existing.push(value);
    else children[name] = [existing, value];
  }
  FLAT_END.lastIndex = pos;
  if (!children || !FLAT_END.test(input)) return undefined;
  return { root: 'xml', value: children };
}
