import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseXml,
  readFlatDocument,
  XmlError,
  type ParseXmlOptions,
  type XmlErrorCode,
} from '../../../shared/callback/xml';
import { massSendJobFinish, massSendJobFinishDocumentedSample } from '../../fixtures/mass-send-job-finish';
import { parseXmlAsBefore, readFlatDocumentByCaptures, XmlErrorAsBefore } from './xml-reference';

const limits = { maxBytes: 64 * 1024 };

function errorCode(input: string, options: ParseXmlOptions = limits): XmlErrorCode | undefined {
  try {
    parseXml(input, options);
  } catch (error) {
    if (error instanceof XmlError) return error.code;
    throw error;
  }
  return undefined;
}

describe('parseXml', () => {
  it('reads nested elements, CDATA and plain text as strings', () => {
    const doc = parseXml(massSendJobFinishDocumentedSample, limits);
    expect(doc.root).toBe('xml');
    expect(doc.value).toMatchObject({
      ToUserName: 'gh_4d00ed8d6399',
      CreateTime: '1481013459',
      MsgID: '1000001625',
      Status: 'err(30003)',
      CopyrightCheckResult: { Count: '2', CheckState: '2' },
    });
  });

  it('turns repeated elements into an array and keeps a single one as is', () => {
    const many = parseXml('<xml><L><item><A>1</A></item><item><A>2</A></item></L></xml>', limits);
    const one = parseXml('<xml><L><item><A>1</A></item></L></xml>', limits);
    expect(many.value).toEqual({ L: { item: [{ A: '1' }, { A: '2' }] } });
    expect(one.value).toEqual({ L: { item: { A: '1' } } });
  });

  it('keeps long ids exact', () => {
    const doc = parseXml('<xml><MsgId>6054768590064713728</MsgId></xml>', limits);
    expect(doc.value).toEqual({ MsgId: '6054768590064713728' });
  });

  it('decodes the predefined entities and numeric references, but not inside CDATA', () => {
    const doc = parseXml(
      '<xml><A>&lt;&gt;&amp;&quot;&apos;&#20013;&#x6587;</A><B><![CDATA[&lt;x>]]></B></xml>',
      limits,
    );
    expect(doc.value).toEqual({ A: `<>&"'中文`, B: '&lt;x>' });
  });

  it('accepts a leading XML declaration, comments, attributes and self-closing elements', () => {
    const doc = parseXml(
      '<?xml version="1.0" encoding="UTF-8"?>\n<!-- hi --><xml a="1"><E/><F x=\'y\'>t</F></xml>',
      limits,
    );
    expect(doc.value).toEqual({ E: '', F: 't' });
  });

  it('rejects a DOCTYPE', () => {
    const billionLaughs =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><xml>&lol2;</xml>';
    expect(errorCode(billionLaughs)).toBe('doctype');
    expect(errorCode('<!doctype xml><xml/>')).toBe('doctype');
  });

  it('rejects an ENTITY declaration and an external entity reference', () => {
    expect(errorCode('<xml><!ENTITY x SYSTEM "file:///etc/passwd"></xml>')).toBe('entity_declaration');
    expect(errorCode('<xml>&xxe;</xml>')).toBe('unknown_entity');
  });

  it('rejects processing instructions other than the leading declaration', () => {
    expect(errorCode('<xml><?php echo 1; ?></xml>')).toBe('processing_instruction');
    expect(errorCode('<?xml-stylesheet href="a"?><xml/>')).toBe('processing_instruction');
    expect(errorCode('<xml/><?xml version="1.0"?>')).toBe('processing_instruction');
  });

  it('rejects input above the size limit before parsing it', () => {
    expect(errorCode(`<xml>${'中'.repeat(40)}</xml>`, { maxBytes: 100 })).toBe('too_large');
  });

  it('rejects nesting beyond the depth limit', () => {
    const deep = `${'<a>'.repeat(20)}x${'</a>'.repeat(20)}`;
    expect(errorCode(deep, { maxBytes: 1000, maxDepth: 16 })).toBe('too_deep');
  });

  it('rejects malformed documents', () => {
    const cases: Array<[string, XmlErrorCode]> = [
      ['', 'malformed'],
      ['not xml', 'malformed'],
      ['<xml><a></b></xml>', 'mismatched_tag'],
      ['<xml><a>', 'malformed'],
      ['<xml><![CDATA[x</xml>', 'malformed'],
      ['<xml/><other/>', 'malformed'],
      ['<xml></xml>trailing', 'malformed'],
      ['<xml>&amp</xml>', 'malformed'],
      ['<xml>&#0;</xml>', 'malformed'],
      ['<xml><a>text<b/></a></xml>', 'mixed_content'],
      ['<xml a=1></xml>', 'malformed'],
      ['<xml><ToUserName>< ![CDATA[x] ]></ToUserName></xml>', 'malformed'],
    ];
    for (const [input, code] of cases) expect([input, errorCode(input)]).toEqual([input, code]);
  });

  it('does not let element names reach Object.prototype', () => {
    const doc = parseXml('<xml><__proto__><polluted>1</polluted></__proto__></xml>', limits);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(doc.value as object)).toEqual(['__proto__']);
  });

  it('stays fast on pathological whitespace inside a tag', () => {
    const started = performance.now();
    errorCode(`<xml${' '.repeat(60_000)}`, { maxBytes: 100_000 });
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('keeps CDATA verbatim, markup and entities included, and joins it with the text around it', () => {
    const doc = parseXml('<xml><A>a&amp;<![CDATA[<b>&lt;]]>c<![CDATA[]]></A><B><![CDATA[]]]]></B></xml>', limits);
    expect(doc.value).toEqual({ A: 'a&<b>&lt;c', B: ']]' });
  });

  it('refuses entities it cannot decode: unterminated, unknown, out of range or Object.prototype names', () => {
    expect(errorCode('<xml><A>&lt</A></xml>')).toBe('malformed');
    expect(errorCode('<xml><A>&nbsp;</A></xml>')).toBe('unknown_entity');
    expect(errorCode('<xml><A>&#xD800;</A></xml>')).toBe('malformed');
    expect(errorCode('<xml><A>&#X41;</A></xml>')).toBe('unknown_entity');
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect([name, errorCode(`<xml><A>&${name};</A></xml>`)]).toEqual([name, 'unknown_entity']);
    }
  });

  it('reads nested and duplicate elements, and refuses overlapping ones', () => {
    const doc = parseXml('<xml><A><B>1</B><B>2</B><C><D>x</D></C></A><A>y</A></xml>', limits);
    expect(doc.value).toEqual({ A: [{ B: ['1', '2'], C: { D: 'x' } }, 'y'] });
    expect(errorCode('<xml><A><B></A></B></xml>')).toBe('mismatched_tag');
  });

  it('refuses an oversized push by its UTF-8 size, not its length in characters', () => {
    const push = massSendJobFinish();
    expect(errorCode(push, { maxBytes: push.length })).toBeUndefined();
    expect(errorCode(push, { maxBytes: push.length - 1 })).toBe('too_large');
    const chinese = `<xml><A>${'中'.repeat(30)}</A></xml>`;
    expect(errorCode(chinese, { maxBytes: chinese.length + 59 })).toBe('too_large');
    expect(errorCode(chinese, { maxBytes: chinese.length + 60 })).toBeUndefined();
  });

  it('treats Unicode spaces in tags as the regex \\s does', () => {
    expect(parseXml('<xml\u00a0><A\u3000>1</A\u2028></xml>', limits).value).toEqual({ A: '1' });
    expect(errorCode('<xml\u0085></xml>')).toBe('malformed');
  });
});

describe('parseXml against the reader it replaced (issue 13)', () => {
  type Outcome = { root: string; value: unknown } | { error: string };
  const run = (read: () => { root: string; value: unknown }, errorType: new (...a: never[]) => Error): Outcome => {
    try {
      const { root, value } = read();
      // Both build null-prototype objects; compare them as plain data.
      return { root, value: JSON.parse(JSON.stringify(value)) };
    } catch (error) {
      if (!(error instanceof errorType)) throw error;
      return { error: (error as Error & { code: string }).code };
    }
  };
  const fragment = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom('<xml>', '</xml>', '<A>', '</A>', '<B>', '</B>', '<A/>', '<B x="1">') },
    fc.constantFrom('<![CDATA[', ']]>', '<!--', '-->', '<!DOCTYPE', '<!doctype x>', '<!ENTITY', '<?', '?>', '<!'),
    fc.constantFrom('<xml', '<A', '</A', '</xml', '<B'),
    fc.constantFrom('&amp;', '&lt;', '&#65;', '&#x4e2d;', '&#0;', '&bad;', '&', ';', '</', '/>', '<', '>'),
    fc.constantFrom(' ', '\n', '\t', '\u00a0', '\u3000', '\ufeff', '=', '"', "'", 'a=', '中', 'x'),
    fc.string({ maxLength: 6 }),
  );
  const document = fc.tuple(
    fc.constantFrom('', '<?xml version="1.0"?>', ' <?xml encoding="x"?>\n', '\ufeff'),
    fc.array(fragment, { maxLength: 40 }),
  );

  it('builds the same tree or refuses with the same code, for any mix of XML fragments', () => {
    fc.assert(
      fc.property(document, fc.constantFrom(64, 4096), ([lead, parts], maxBytes) => {
        const input = lead + parts.join('');
        const options = { maxBytes, maxDepth: 6 };
        expect(run(() => parseXml(input, options), XmlError)).toEqual(
          run(() => parseXmlAsBefore(input, options), XmlErrorAsBefore),
        );
      }),
      { numRuns: 5000 },
    );
  });

  // Well-formed trees first, with spaces (Unicode ones too), attributes, comments, CDATA and
  // entities where a WeChat push could hold them; then, half of the time, one cut or insertion.
  const space = fc.constantFrom('', '', ' ', '\n', '\t', '\u00a0', '\u3000', '\u2028', '\u0085', '\u200b');
  const text = fc.constantFrom('x', ' ', '\n', '&amp;', '&#20013;', '&#x41;', '&lt;', '中', '&bogus;', '&amp', '&#0;');
  const { element } = fc.letrec<{ element: string; content: string }>((tie) => ({
    element: fc
      .tuple(
        fc.constantFrom('xml', 'A', 'B', 'item', '__proto__', 'x.y-z:1'),
        space,
        fc.constantFrom('', ' a="1"', " b='x'", ' c="<"', ' d=1'),
        fc.oneof({ weight: 1, arbitrary: fc.constant(null) }, { weight: 4, arbitrary: tie('content') }),
      )
      .map(([name, gap, attribute, content]) =>
        content === null ? `<${name}${attribute}${gap}/>` : `<${name}${attribute}${gap}>${content}</${name}${gap}>`,
      ),
    content: fc
      .array(
        fc.oneof(
          { depthSize: 'small', withCrossShrink: true },
          text,
          fc.constantFrom('<![CDATA[a<b>&c]]>', '<![CDATA[]]>', '<!-- c -->', '<!---->'),
          tie('element'),
        ),
        { maxLength: 4 },
      )
      .map((parts) => parts.join('')),
  }));
  const mutated = fc
    .tuple(element, fc.nat(), fc.nat({ max: 6 }), fc.option(fragment, { nil: '' }), fc.boolean())
    .map(([xml, at, cut, insert, mutate]) => {
      if (!mutate) return xml;
      const start = at % (xml.length + 1);
      return xml.slice(0, start) + insert + xml.slice(start + cut);
    });

  it('builds the same tree or refuses with the same code, for any well-formed tree and one change to it', () => {
    fc.assert(
      fc.property(mutated, (input) => {
        const options = { maxBytes: 4096, maxDepth: 5 };
        expect(run(() => parseXml(input, options), XmlError)).toEqual(
          run(() => parseXmlAsBefore(input, options), XmlErrorAsBefore),
        );
      }),
      { numRuns: 5000 },
    );
  });

  // Pushes laid out as WeChat lays them out, the shape readFlatDocument takes, and near misses.
  const flatValue = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom('', 'x', 'send success', '中文', ' a b ', '1>2', '\r\n') },
    { weight: 3, arbitrary: fc.string({ maxLength: 5 }).map((text) => `<![CDATA[${text}]]>`) },
    { weight: 1, arbitrary: fc.constantFrom('<![CDATA[a]b]]>', '<![CDATA[x]]]>', '&amp;', 'a&lt;b', '<![CDATA[x]]>y') },
  );
  const flatPush = fc
    .tuple(
      fc.oneof(
        { weight: 6, arbitrary: fc.constant('<xml>') },
        fc.constantFrom('<xml >', '<XML>', ' <xml>', '\ufeff<xml>', '<xml><!-- -->'),
      ),
      fc.array(
        fc.tuple(
          fc.oneof({ weight: 4, arbitrary: fc.constantFrom('', '\n', ' ') }, space),
          fc.constantFrom('ToUserName', 'MsgID', 'A', 'item', '__proto__', 'a.b'),
          flatValue,
          fc.oneof({ weight: 9, arbitrary: fc.constant('') }, space),
        ),
        { maxLength: 6 },
      ),
      fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom('</xml>', '</xml>\n') },
        fc.constantFrom('</xml >', '</XML>', '</xml>x', '</xmlx>', ''),
      ),
    )
    .map(
      ([open, children, close]) =>
        open +
        children.map(([gap, name, value, inner]) => `${gap}<${name}>${value}</${name}${inner}>`).join('') +
        close,
    );
  const flatOrMutated = fc
    .tuple(flatPush, fc.nat(), fc.nat({ max: 4 }), fc.option(fragment, { nil: '' }), fc.boolean())
    .map(([xml, at, cut, insert, mutate]) => {
      if (!mutate) return xml;
      const start = at % (xml.length + 1);
      return xml.slice(0, start) + insert + xml.slice(start + cut);
    });

  it('builds the same tree or refuses with the same code, for flat pushes as WeChat lays them out', () => {
    let flat = 0;
    fc.assert(
      fc.property(flatOrMutated, (input) => {
        if (readFlatDocument(input)) flat += 1;
        expect(run(() => parseXml(input, limits), XmlError)).toEqual(
          run(() => parseXmlAsBefore(input, limits), XmlErrorAsBefore),
        );
      }),
      { numRuns: 5000 },
    );
    // Both readings are exercised: the flat one and the fallback to the full reader.
    expect(flat).toBeGreaterThan(500);
    expect(flat).toBeLessThan(4500);
  });

  it('reads flat only what the reader it replaced reads the same, and only WeChat-shaped pushes', () => {
    fc.assert(
      fc.property(fc.oneof(flatOrMutated, mutated), (input) => {
        const flat = readFlatDocument(input);
        if (flat)
          expect(run(() => flat, XmlError)).toEqual(run(() => parseXmlAsBefore(input, limits), XmlErrorAsBefore));
      }),
      { numRuns: 5000 },
    );
    expect(readFlatDocument(massSendJobFinish())?.root).toBe('xml');
    expect(readFlatDocument(massSendJobFinishDocumentedSample)).toBeUndefined();
    expect(readFlatDocument('<xml></xml>')).toBeUndefined();
  });

  it("reads flat exactly what it read from exec's captures, into the same tree", () => {
    let flat = 0;
    fc.assert(
      fc.property(fc.oneof({ weight: 4, arbitrary: flatOrMutated }, mutated), (input) => {
        const expected = readFlatDocumentByCaptures(input);
        if (expected) flat += 1;
        expect(readFlatDocument(input)).toEqual(expected);
      }),
      { numRuns: 10_000 },
    );
    expect(flat).toBeGreaterThan(1000);
    for (const input of [
      '<xml><A>x!</A></xml>',
      '<xml><A><![CDATA[]]></A><B></B><C>a!b</C></xml>',
      '<xml><A><![CDATA[x]]></A><A>y</A><A>z</A></xml>',
      '<xml>\u2028<A><![CDATA[<&>]]></A>\u00a0<_.:-9>v</_.:-9>\r\n</xml> \u3000',
    ]) {
      expect(readFlatDocument(input)).toEqual(readFlatDocumentByCaptures(input));
      expect(readFlatDocument(input)).toBeDefined();
    }
  });

  it('agrees on every push a test fixture holds', async () => {
    const fixtures = Object.values(await import('../../fixtures/mass-send-job-finish')).filter(
      (value): value is string => typeof value === 'string' && value.includes('<xml>'),
    );
    expect(fixtures.length).toBeGreaterThan(4);
    for (const xml of [...fixtures, massSendJobFinish()]) {
      expect(run(() => parseXml(xml, limits), XmlError)).toEqual(
        run(() => parseXmlAsBefore(xml, limits), XmlErrorAsBefore),
      );
    }
  });
});
