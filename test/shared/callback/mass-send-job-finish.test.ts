import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MassSendJobFinishEvent,
  readFlatMassSendJobFinish,
  toMassSendJobReport,
} from '../../../shared/callback/mass-send-job-finish';
import { parseXml, type XmlObject, type XmlValue } from '../../../shared/callback/xml';
import { MassSendJobReport } from '../../../shared/reports/mass-send-job-report';
import {
  massSendJobFinish,
  massSendJobFinishAdminRejected,
  massSendJobFinishDocumentedSample,
  massSendJobFinishOneArticleUrl,
} from '../../fixtures/mass-send-job-finish';

// The largest 64-bit id WeChat could hand out: 20 digits.
const MAX_U64 = '18446744073709551615';

function tree(xml: string): XmlValue {
  return parseXml(xml, { maxBytes: 64 * 1024 }).value;
}

describe('MassSendJobFinishEvent', () => {
  it('accepts a MsgID of 1 and of 20 digits', () => {
    expect(MassSendJobFinishEvent.safeParse(tree(massSendJobFinish({ msgId: '7' }))).success).toBe(true);
    expect(MassSendJobFinishEvent.safeParse(tree(massSendJobFinish({ msgId: MAX_U64 }))).success).toBe(true);
  });

  it('refuses a MsgID of 21 digits, which no 64-bit id has', () => {
    const parsed = MassSendJobFinishEvent.safeParse(tree(massSendJobFinish({ msgId: `${MAX_U64}9` })));
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['MsgID']);
  });

  it('refuses a 20-digit MsgID past 2^64 − 1 and one with leading zeros, as /status and WeChat do', () => {
    for (const msgId of ['18446744073709551616', '03147494552']) {
      const parsed = MassSendJobFinishEvent.safeParse(tree(massSendJobFinish({ msgId })));
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues[0]?.path).toEqual(['MsgID']);
    }
  });
});

describe('toMassSendJobReport', () => {
  it('keeps a 20-digit MsgID exact and names the counts', () => {
    const event = MassSendJobFinishEvent.parse(tree(massSendJobFinish({ msgId: MAX_U64 })));
    expect(toMassSendJobReport(event)).toEqual({
      msgId: MAX_U64,
      status: { kind: 'success' },
      createTime: 1700000000,
      toUserName: 'gh_4d00ed8d6399',
      fromUserName: 'mphelper',
      counts: { total: 120, filter: 118, sent: 117, error: 1 },
    });
  });
});

describe('readFlatMassSendJobFinish, the schema-free reading of a push without result blocks', () => {
  // What the schema makes of a tree: the report, or the path of its first refusal.
  function bySchema(root: XmlObject) {
    const parsed = MassSendJobFinishEvent.safeParse({ ...root, MsgType: 'event', Event: 'MASSSENDJOBFINISH' });
    return parsed.success ? { report: toMassSendJobReport(parsed.data) } : { refused: parsed.error.issues[0]?.path };
  }

  const padded = (text: string) =>
    fc
      .tuple(fc.constantFrom('', ' ', '\n', '\t', '\u3000'), fc.constantFrom('', ' ', '\n'))
      .map(([a, b]) => a + text + b);
  const digits = (max: number) => fc.stringMatching(new RegExp(`^\\d{1,${max}}$`));
  // Good values, near misses and wrong shapes (a repeated element is an array, a nested one an object).
  const value = (good: fc.Arbitrary<string>) =>
    fc.oneof(
      { weight: 40, arbitrary: good.chain(padded) },
      fc.constantFrom('', ' ', '-1', '1.5', '1e3', '0x10', '１２', '12a', '+3', '9'.repeat(16), '007'),
      fc.string({ maxLength: 6 }),
      fc.constant(['1', '2']),
      fc.constant({ A: '1' }),
      fc.constant(undefined),
    );
  const msgIds = fc.oneof(
    digits(20),
    fc.constantFrom('0', '18446744073709551615', '18446744073709551616', '99999999999999999999', '0123'),
  );
  const statuses = fc.oneof(
    fc.constantFrom('send success', 'sendsuccess', 'Send Fail', 'err(30003)', 'err(99)', 'err()', 'x'.repeat(101)),
    fc.string({ maxLength: 12 }),
  );
  const names = fc.oneof(fc.constantFrom('gh_4d00ed8d6399', 'mphelper', ' gh_x ', ''), fc.string({ maxLength: 8 }));
  const tree = fc
    .record({
      ToUserName: value(names),
      FromUserName: value(names),
      CreateTime: value(digits(16)),
      MsgID: value(msgIds),
      Status: value(statuses),
      TotalCount: value(digits(16)),
      FilterCount: value(digits(3)),
      SentCount: value(digits(3)),
      ErrorCount: value(digits(3)),
      Extra: value(names),
    })
    .map((fields) => Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as XmlObject);

  it('accepts exactly what the schema accepts, with the same report, and leaves every refusal to it', () => {
    let accepted = 0;
    fc.assert(
      fc.property(tree, (root) => {
        const fast = readFlatMassSendJobFinish(root);
        const schema = bySchema(root);
        if ('report' in schema) {
          accepted += 1;
          expect(fast).toEqual(schema.report);
          // Byte for byte the record the store keeps.
          expect(JSON.stringify(fast)).toBe(JSON.stringify(schema.report));
          expect(MassSendJobReport.parse(fast)).toEqual(fast);
        } else {
          expect(fast).toBeUndefined();
        }
      }),
      { numRuns: 5000 },
    );
    // The generator must reach both sides, or the property proves little.
    expect(accepted).toBeGreaterThan(200);
    expect(accepted).toBeLessThan(4800);
  });

  it('reads the pushes of the fixtures as the schema does', () => {
    for (const xml of [massSendJobFinish(), massSendJobFinishAdminRejected, massSendJobFinish({ msgId: MAX_U64 })]) {
      const root = tree_(xml);
      expect(readFlatMassSendJobFinish(root)).toEqual(bySchema(root).report);
    }
  });

  it('leaves a push with a CopyrightCheckResult or ArticleUrlResult to the schema', () => {
    expect(readFlatMassSendJobFinish(tree_(massSendJobFinishDocumentedSample))).toBeUndefined();
    expect(readFlatMassSendJobFinish(tree_(massSendJobFinishOneArticleUrl))).toBeUndefined();
    expect(readFlatMassSendJobFinish(tree_(massSendJobFinish({ extra: '<ArticleUrlResult/>' })))).toBeUndefined();
  });
});

function tree_(xml: string): XmlObject {
  return tree(xml) as XmlObject;
}
