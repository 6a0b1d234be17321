/**
 * A deliberately small XML reader for WeChat callback bodies: elements, CDATA, the five
 * predefined entities and numeric character references. Anything that can expand or fetch
 * (DOCTYPE, ENTITY declarations, processing instructions) is refused outright, so there is
 * no XXE and no entity-expansion bomb. Attributes are read past and dropped: WeChat sends none.
 *
 * The result is a tree of strings: an element holding only text becomes its text, an element
 * with children becomes an object keyed by child name, and a repeated child becomes an array.
 * Numbers stay strings here; the zod schemas decide which fields are numbers, so an id such as
 * MsgID (beyond 2^53 in ordinary messages) is never rounded.
 */

export type XmlValue = string | XmlObject;
export interface XmlObject {
  [name: string]: XmlValue | XmlValue[];
}
export interface XmlDocument {
  root: string;
  value: XmlValue;
}

export type XmlErrorCode =
  | 'too_large'
  | 'too_deep'
  | 'doctype'
  | 'entity_declaration'
  | 'processing_instruction'
  | 'unknown_entity'
  | 'mismatched_tag'
  | 'mixed_content'
  | 'malformed';

export class XmlError extends Error {
  override readonly name = 'XmlError';
  constructor(
    readonly code: XmlErrorCode,
    message: string,
    readonly position?: number,
  ) {
    super(position === undefined ? message : `${message} at offset ${position}`);
  }
}

export interface ParseXmlOptions {
  /** UTF-8 bytes; larger input is refused before any parsing. */
  maxBytes: number;
  /** Element nesting; WeChat's deepest body (ResultList/item) is 4 levels. */
  maxDepth?: number;
}

const PREDEFINED = new Map([
  ['lt', '<'],
  ['gt', '>'],
  ['amp', '&'],
  ['quot', '"'],
  ['apos', "'"],
]);

function decodeEntities(text: string, offset: number): string {
  if (!text.includes('&')) return text;
  return text.replace(/&([^;&<\s]*);?/g, (whole, body: string, at: number) => {
    if (!whole.endsWith(';')) throw new XmlError('malformed', 'unterminated entity', offset + at);
    const named = PREDEFINED.get(body);
    if (named !== undefined) return named;
    const numeric = /^#(?:x([0-9A-Fa-f]{1,6})|([0-9]{1,7}))$/.exec(body);
    if (!numeric) throw new XmlError('unknown_entity', 'unknown entity', offset + at);
    const code = numeric[1] !== undefined ? parseInt(numeric[1], 16) : Number(numeric[2]);
    const allowed =
      code === 0x9 ||
      code === 0xa ||
      code === 0xd ||
      (code >= 0x20 && code <= 0xd7ff) ||
      (code >= 0xe000 && code <= 0xfffd) ||
      (code >= 0x10000 && code <= 0x10ffff);
    if (!allowed) throw new XmlError('malformed', 'invalid character reference', offset + at);
    return String.fromCodePoint(code);
  });
}

// What the regex `\s` matches (the parser has always used it): ASCII blanks, else Unicode's.
const UNICODE_SPACE = /\s/;
function isSpace(code: number): boolean {
  if (code === 0x20 || (code >= 0x9 && code <= 0xd)) return true;
  return code >= 0x80 && UNICODE_SPACE.test(String.fromCharCode(code));
}

// A name is [A-Za-z_][A-Za-z0-9_.:-]*, as the regex /[A-Za-z_][\w.:-]*/ says.
function isNameStart(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || code === 0x5f;
}
function isNameChar(code: number): boolean {
  return isNameStart(code) || (code >= 0x30 && code <= 0x39) || code === 0x2e || code === 0x3a || code === 0x2d;
}

interface Frame {
  name: string;
  text: string;
  children: XmlObject | undefined;
}

// Children live in objects whose prototype chain ends without Object.prototype, so an element
// named `__proto__` or `constructor` is an own property like any other and reaches nothing.
// Unlike Object.create(null) (a hash table in V8), they keep fast properties.
const Children = function (this: XmlObject) {} as unknown as new () => XmlObject;
Children.prototype = Object.freeze(Object.create(null));

/** Adds a child to `children` (new when undefined): a repeated name becomes an array. */
function withChild(children: XmlObject | undefined, name: string, value: XmlValue): XmlObject {
  const into = children ?? new Children();
  const existing = into[name];
  if (existing === undefined) into[name] = value;
  else if (Array.isArray(existing)) existing.push(value);
  else into[name] = [existing, value];
  return into;
}

function addChild(frame: Frame, name: string, value: XmlValue): void {
  frame.children = withChild(frame.children, name, value);
}

function frameValue(frame: Frame, at: number): XmlValue {
  if (!frame.children) return frame.text;
  if (frame.text.trim() !== '') throw new XmlError('mixed_content', 'text beside child elements', at);
  return frame.children;
}

const LT = 0x3c;
const GT = 0x3e;
const BANG = 0x21;
const QUESTION = 0x3f;
const SLASH = 0x2f;

/**
 * One pass over the text, dispatching on the character after each `<`. Every push goes through
 * it once decrypted, so it reads character codes rather than slicing and matching regexes per
 * tag, and keeps its state in one object rather than in closures made per document.
 */
class Reader {
  pos: number;
  readonly stack: Frame[] = [];
  document: XmlDocument | undefined;

  constructor(
    readonly input: string,
    readonly maxDepth: number,
  ) {
    this.pos = input.charCodeAt(0) === 0xfeff ? 1 : 0;
  }

  fail(code: XmlErrorCode, message: string): never {
    throw new XmlError(code, message, this.pos);
  }

  expect(token: string, what: string): number {
    const end = this.input.indexOf(token, this.pos);
    if (end < 0) this.fail('malformed', `unterminated ${what}`);
    return end;
  }

  readName(): string {
    const { input } = this;
    const start = this.pos;
    if (!isNameStart(input.charCodeAt(start))) this.fail('malformed', 'expected a name');
    let pos = start + 1;
    while (pos < input.length && isNameChar(input.charCodeAt(pos))) pos += 1;
    this.pos = pos;
    return input.slice(start, pos);
  }

  skipWhitespace(): number {
    const { input } = this;
    const start = this.pos;
    let pos = start;
    while (pos < input.length && isSpace(input.charCodeAt(pos))) pos += 1;
    this.pos = pos;
    return pos - start;
  }

  /** Attributes are read past and dropped, but they must be well formed. True for `<a/>`. */
  skipAttributes(): boolean {
    const { input } = this;
    for (;;) {
      const spaced = this.skipWhitespace() > 0;
      const code = input.charCodeAt(this.pos);
      if (code === SLASH && input.charCodeAt(this.pos + 1) === GT) {
        this.pos += 2;
        return true;
      }
      if (code === GT) {
        this.pos += 1;
        return false;
      }
      if (!spaced) this.fail('malformed', 'malformed start tag');
      this.readName();
      this.skipWhitespace();
      if (input.charCodeAt(this.pos) !== 0x3d) this.fail('malformed', 'malformed attribute');
      this.pos += 1;
      this.skipWhitespace();
      const quote = input[this.pos];
      if (quote !== '"' && quote !== "'") this.fail('malformed', 'unquoted attribute');
      this.pos += 1;
      const end = this.expect(quote, 'attribute value');
      if (input.slice(this.pos, end).includes('<')) this.fail('malformed', 'malformed attribute');
      this.pos = end + 1;
    }
  }

  /** `<!…`: CDATA, a comment, or a declaration, which is refused. */
  readMarkup(): void {
    const { input, pos } = this;
    if (input.startsWith('<![CDATA[', pos)) {
      const top = this.stack[this.stack.length - 1];
      if (!top) this.fail('malformed', 'CDATA outside the root element');
      const end = this.expect(']]>', 'CDATA section');
      top.text += input.slice(pos + 9, end);
      this.pos = end + 3;
    } else if (input.startsWith('<!--', pos)) {
      this.pos = this.expect('-->', 'comment') + 3;
    } else if (/^<!DOCTYPE/i.test(input.slice(pos, pos + 9))) {
      this.fail('doctype', 'DOCTYPE is not allowed');
    } else if (/^<!ENTITY/i.test(input.slice(pos, pos + 8))) {
      this.fail('entity_declaration', 'ENTITY declarations are not allowed');
    } else {
      this.fail('malformed', 'unexpected markup declaration');
    }
  }

  readClosingTag(): void {
    const { input, stack } = this;
    this.pos += 2;
    // The usual case, the name of the open element, is recognised without slicing it out.
    const open = stack[stack.length - 1];
    if (open && input.startsWith(open.name, this.pos) && !isNameChar(input.charCodeAt(this.pos + open.name.length))) {
      this.pos += open.name.length;
      this.skipWhitespace();
      if (input.charCodeAt(this.pos) !== GT) this.fail('malformed', 'malformed closing tag');
      this.pos += 1;
      stack.pop();
      this.closeElement(open);
      return;
    }
    const name = this.readName();
    this.skipWhitespace();
    if (input.charCodeAt(this.pos) !== GT) this.fail('malformed', 'malformed closing tag');
    this.pos += 1;
    const frame = stack.pop();
    if (!frame || frame.name !== name) this.fail('mismatched_tag', 'closing tag does not match');
    this.closeElement(frame);
  }

  closeElement(frame: Frame): void {
    const value = frameValue(frame, this.pos);
    const parent = this.stack[this.stack.length - 1];
    if (parent) addChild(parent, frame.name, value);
    else this.document = { root: frame.name, value };
  }

  readStartTag(): void {
    if (this.document) this.fail('malformed', 'content after the root element');
    this.pos += 1;
    const name = this.readName();
    const selfClosing = this.skipAttributes();
    const { stack } = this;
    if (stack.length + 1 > this.maxDepth) this.fail('too_deep', 'XML nested too deeply');
    if (selfClosing) {
      const parent = stack[stack.length - 1];
      if (parent) addChild(parent, name, '');
      else this.document = { root: name, value: '' };
    } else {
      stack.push({ name, text: '', children: undefined });
    }
  }

  readText(): void {
    const { input, pos } = this;
    const lt = input.indexOf('<', pos);
    const textEnd = lt < 0 ? input.length : lt;
    const raw = input.slice(pos, textEnd);
    const top = this.stack[this.stack.length - 1];
    if (top) top.text += decodeEntities(raw, pos);
    else if (raw.trim() !== '') this.fail('malformed', 'text outside the root element');
    this.pos = textEnd;
  }

  read(): XmlDocument {
    const { input } = this;
    // A leading XML declaration is the only processing instruction allowed.
    const lead = /^\s*<\?xml\s[^?]*\?>/.exec(input.slice(this.pos, this.pos + 200));
    if (lead) this.pos += lead[0].length;

    while (this.pos < input.length) {
      if (input.charCodeAt(this.pos) !== LT) {
        this.readText();
        continue;
      }
      const next = input.charCodeAt(this.pos + 1);
      if (next === BANG) this.readMarkup();
      else if (next === QUESTION) this.fail('processing_instruction', 'processing instructions are not allowed');
      else if (next === SLASH) this.readClosingTag();
      else this.readStartTag();
    }
    if (this.stack.length > 0 || !this.document) this.fail('malformed', 'unexpected end of XML');
    return this.document;
  }
}

// A push as WeChat lays it out: `<xml>`, then elements each holding one CDATA section without
// `]` or text without `<` and `&`, separated by whitespace (`\s`, as the Reader's), then `</xml>`.
const FLAT_CHILD = /\s*<([A-Za-z_][\w.:-]*)>(?:<!\[CDATA\[([^\]]*)\]\]>|([^<&]*))<\/\1>/y;
const FLAT_END = /\s*<\/xml>\s*$/y;

/**
 * The document when `input` has that flat layout, else undefined. A strict subset of what the
 * Reader accepts, read into the same tree with two sticky regexes in half its time; anything
 * else (declarations, comments, attributes, entities, nesting, other spacing) goes to the Reader.
 * Each element is matched with `test`, not `exec`: a match array and its strings per element
 * were most of what a push allocated here. The name and value are sliced at positions that
 * follow from the match's ends (blanks hold no `<`, a name no `>`).
 */
export function readFlatDocument(input: string): XmlDocument | undefined {
  if (!input.startsWith('<xml>')) return undefined;
  let pos = 5;
  let children: XmlObject | undefined;
  for (;;) {
    FLAT_CHILD.lastIndex = pos;
    if (!FLAT_CHILD.test(input)) break;
    const end = FLAT_CHILD.lastIndex;
    const nameStart = input.indexOf('<', pos) + 1;
    const nameEnd = input.indexOf('>', nameStart);
    const closing = end - (nameEnd - nameStart) - 3;
    const cdata = input.charCodeAt(nameEnd + 1) === LT && input.charCodeAt(nameEnd + 2) === BANG;
    const value = cdata ? input.slice(nameEnd + 10, closing - 3) : input.slice(nameEnd + 1, closing);
    children = withChild(children, input.slice(nameStart, nameEnd), value);
    pos = end;
  }
  FLAT_END.lastIndex = pos;
  if (!children || !FLAT_END.test(input)) return undefined;
  return { root: 'xml', value: children };
}

export function parseXml(input: string, options: ParseXmlOptions): XmlDocument {
  // A UTF-16 code unit is at most 3 UTF-8 bytes: short input needs no byte count.
  if (input.length * 3 > options.maxBytes && Buffer.byteLength(input, 'utf8') > options.maxBytes) {
    throw new XmlError('too_large', 'XML body exceeds the size limit');
  }
  const maxDepth = options.maxDepth ?? 16;
  return (maxDepth >= 2 && readFlatDocument(input)) || new Reader(input, maxDepth).read();
}
