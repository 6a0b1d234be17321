import { recordDeleted } from '../../shared/api/deleted-marker';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StatusResponse } from '../../shared/api/schemas';
import { massReportKey } from '../../shared/reports/mass-report-store';
import { statusRoutes } from '../../shared/api/routes/status';
import { sendRecordKey } from '../../shared/api/idempotency';
import { API_KEY, APP_ID, createApiHarness, type ApiHarness } from '../support/api-harness';

const GET = '/cgi-bin/message/mass/get';

// What the callback function stores for a MASSSENDJOBFINISH push (shared/reports/mass-report-store.ts).
const REPORT = {
  msgId: '9007199254740993',
  status: { kind: 'success' },
  createTime: 1394524295,
  toUserName: 'gh_4d00ed8d6399',
  fromUserName: 'oV5CrjpxgaGXNHIQigzNlgLTnwic',
  counts: { total: 100, filter: 80, sent: 75, error: 5 },
};

describe('GET /status', () => {
  let api: ApiHarness;
  beforeEach(() => {
    api = createApiHarness(statusRoutes);
  });
  afterEach(() => api.close());

  const status = (query: Record<string, string | string[] | true>) =>
    api.invoke({ method: 'GET', path: '/status', query, apiKey: API_KEY });

  it('answers a reported send from the store without calling WeChat, ids exact past 2^53', async () => {
    await api.store.set(massReportKey(APP_ID, '9007199254740993'), JSON.stringify(REPORT));
    const res = await status({ msgId: '9007199254740993' });
    expect(res.statusCode).toBe(200);
    expect(res.json).toEqual({ msgId: '9007199254740993', status: 'SEND_SUCCESS', source: 'report', report: REPORT });
    expect(res.body).toContain('"msgId":"9007199254740993"');
    expect(api.calls).toEqual([]);
  });

  it('answers SEND_FAIL from a report of err(N), and DELETE once /delete noted the deletion', async () => {
    const failed = { ...REPORT, msgId: '3147494553', status: { kind: 'error', code: 40001, reason: 'admin_rejected' } };
    await api.store.set(massReportKey(APP_ID, '3147494553'), JSON.stringify(failed));
    await api.store.set(massReportKey(APP_ID, '9007199254740993'), JSON.stringify(REPORT));
    await recordDeleted(api.store, APP_ID, '9007199254740993');

    expect((await status({ msgId: '3147494553' })).json).toMatchObject({ status: 'SEND_FAIL', source: 'report' });
    expect((await status({ msgId: '9007199254740993' })).json).toMatchObject({ status: 'DELETE', source: 'report' });
    expect(api.calls).toEqual([]);
  });

  it('asks WeChat when the store cannot say whether a reported send was deleted', async () => {
    await api.store.set(massReportKey(APP_ID, '9007199254740993'), JSON.stringify(REPORT));
    const get = api.store.get.bind(api.store);
    api.store.get = (key) => (key.includes('deleted') ? Promise.reject(new Error('store down')) : get(key));
    api.serveToken();
    api.serve(GET, '{"msg_id":9007199254740993,"msg_status":"DELETE"}');
    const res = await status({ msgId: '9007199254740993' });
    expect(res.json).toMatchObject({ status: 'DELETE', source: 'wechat', report: REPORT });
  });

  it("does not take another account's deletion or report for its own (one Redis, several accounts)", async () => {
    await api.store.set(massReportKey(APP_ID, '9007199254740993'), JSON.stringify(REPORT));
    await recordDeleted(api.store, 'wxfedcba9876543210', '9007199254740993');
    await api.store.set(
      massReportKey('wxfedcba9876543210', '3147494552'),
      JSON.stringify({ ...REPORT, msgId: '3147494552' }),
    );
    expect((await status({ msgId: '9007199254740993' })).json).toMatchObject({ status: 'SEND_SUCCESS' });
    api.serveToken();
    api.serve(GET, '{"msg_id":3147494552,"msg_status":"SENDING"}');
    expect((await status({ msgId: '3147494552' })).json).toMatchObject({ status: 'SENDING', report: null });
  });

  it('asks WeChat before the report, with the msgId exact past 2^53', async () => {
    api.serveToken();
    api.serve(GET, '{"msg_id":9007199254740993,"msg_status":"SENDING"}');
    const res = await status({ msgId: '9007199254740993' });
    expect(res.json).toEqual({ msgId: '9007199254740993', status: 'SENDING', source: 'wechat', report: null });
    expect(api.calls[0]!.raw).toBe('{"msg_id":9007199254740993}');
  });

  it('answers a report whose Status WeChat never documented, in the shape the document promises', async () => {
    const report = { ...REPORT, msgId: '3147494552', status: { kind: 'unrecognised', text: 'sent, mostly' } };
    await api.store.set(massReportKey(APP_ID, '3147494552'), JSON.stringify(report));
    api.serveToken();
    api.serve(GET, '{"msg_id":3147494552,"msg_status":"SEND_SUCCESS"}');
    const res = await status({ msgId: '3147494552' });
    expect(res.json).toEqual({ msgId: '3147494552', status: 'SEND_SUCCESS', source: 'wechat', report });
    expect(StatusResponse.safeParse(res.json).success).toBe(true);
  });

  it('answers report: null, and logs it, when the stored record is not a report', async () => {
    await api.store.set(
      massReportKey(APP_ID, '3147494552'),
      JSON.stringify({ ...REPORT, msgId: '3147494552', counts: 5 }),
    );
    api.serveToken();
    api.serve(GET, '{"msg_id":3147494552,"msg_status":"SEND_SUCCESS"}');
    const res = await status({ msgId: '3147494552' });
    expect(res.statusCode).toBe(200);
    expect(res.json).toEqual({ msgId: '3147494552', status: 'SEND_SUCCESS', source: 'wechat', report: null });
    expect(api.logs.lines.join('\n')).toContain('mass report unreadable');
  });

  it('answers report: null until the push arrives', async () => {
    api.serveToken();
    api.serve(GET, '{"msg_id":201053012,"msg_status":"SENDING"}');
    const res = await status({ msgId: '201053012' });
    expect(res.json).toEqual({ msgId: '201053012', status: 'SENDING', source: 'wechat', report: null });
  });

  it('refuses a repeated msgId parameter, naming it, before calling WeChat', async () => {
    const res = await status({ msgId: ['1', '2'] });
    expect(res.statusCode).toBe(400);
    expect(res.json.error.fields).toEqual([{ path: '(query) msgId', reason: 'given 2 times; give it once' }]);
    expect(res.json.error.requestId).toBeTruthy();
    expect(api.calls).toEqual([]);
  });

  it('accepts the largest 64-bit msgId and refuses one past it before calling WeChat', async () => {
    api.serveToken();
    api.serve(GET, '{"msg_id":18446744073709551615,"msg_status":"SENDING"}');
    expect((await status({ msgId: '18446744073709551615' })).statusCode).toBe(200);

    const res = await status({ msgId: '18446744073709551616' });
    expect(res.statusCode).toBe(400);
    expect(res.json.error.fields).toEqual([{ path: '(query) msgId', reason: expect.stringContaining('64-bit') }]);
    expect(api.calls).toHaveLength(1);
  });

  it('names a missing or malformed msgId', async () => {
    const queries: Array<Record<string, string | true>> = [{}, { msgId: true }, { msgId: '12a' }];
    for (const query of queries) {
      const res = await status(query);
      expect(res.statusCode).toBe(400);
      expect(res.json.error.fields.map((f: { path: string }) => f.path)).toEqual(['(query) msgId']);
    }
  });

  it('answers 405 with Allow for POST', async () => {
    const res = await api.invoke({ method: 'POST', path: '/status', body: {}, apiKey: API_KEY });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('GET');
  });

  it('answers 401 without a key and calls nothing', async () => {
    const res = await api.invoke({ method: 'GET', path: '/status', query: { msgId: '1' } });
    expect(res.statusCode).toBe(401);
    expect(api.calls).toEqual([]);
  });

  describe('by clientMsgId', () => {
    const record = (value: unknown) =>
      api.store.set(sendRecordKey(APP_ID, 'weekly-1'), JSON.stringify({ fingerprint: 'f', ...(value as object) }));

    it('answers a send waiting for an administrator, saying which call to make, without calling WeChat', async () => {
      await record({ state: 'done', result: { kind: 'awaiting_confirmation', errcode: 89504 } });
      const res = await status({ clientMsgId: 'weekly-1' });
      expect(res.statusCode).toBe(200);
      expect(res.json).toEqual({
        clientMsgId: 'weekly-1',
        state: 'awaiting_confirmation',
        message: expect.stringContaining('Repeat this request with clientMsgId "weekly-1"'),
      });
      expect(api.calls).toEqual([]);
    });

    it("answers a sent one with its msgId and that msgId's status", async () => {
      await record({ state: 'done', result: { kind: 'sent', msgId: '9007199254740993' } });
      await api.store.set(massReportKey(APP_ID, '9007199254740993'), JSON.stringify(REPORT));
      const res = await status({ clientMsgId: 'weekly-1' });
      expect(res.json).toMatchObject({
        state: 'sent',
        msgId: '9007199254740993',
        status: 'SEND_SUCCESS',
        source: 'report',
        report: REPORT,
      });
    });

    it('answers the states before an answer: sending, outcome unknown', async () => {
      await record({ state: 'pending', owner: 'o' });
      expect((await status({ clientMsgId: 'weekly-1' })).json).toMatchObject({ state: 'sending' });
      await record({ state: 'unknown' });
      expect((await status({ clientMsgId: 'weekly-1' })).json).toMatchObject({ state: 'outcome_unknown' });
    });

    it('answers 404 naming the clientMsgId when nothing is recorded, and 400 for both ids', async () => {
      const missing = await status({ clientMsgId: 'weekly-1' });
      expect(missing.statusCode).toBe(404);
      expect(missing.json.error.fields[0].path).toBe('(query) clientMsgId');
      expect((await status({ clientMsgId: 'weekly-1', msgId: '1' })).statusCode).toBe(400);
    });
  });
});
