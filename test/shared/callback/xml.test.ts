import { describe, expect, it } from 'vitest';
import { parseXml, XmlError, type ParseXmlOptions, type XmlErrorCode } from '../../../shared/callback/xml';
import { massSendJobFinishDocumentedSample } from '../../fixtures/mass-send-job-finish';

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
});
