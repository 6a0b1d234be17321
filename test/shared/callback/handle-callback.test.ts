import { describe, expect, it, vi } from 'vitest';
import { createCallbackHandler, type CallbackHandlerDeps } from '../../../shared/callback/handle-callback';
import { massReportKey, readMassReport } from '../../../shared/reports/mass-report-store';
import type { MassSendJobReport } from '../../../shared/reports/mass-send-job-report';
import { PROCESSING_CLAIM_MS, replayKey } from '../../../shared/callback/replay-cache';
import { createMemoryStore } from '../../../shared/store/memory-store';
import type { Store } from '../../../shared/store/store';
import { sha1Signature } from '../../../shared/wechat/signature';
import { resendingSetIfAbsent } from '../../support/resending-store';
import {
  massSendJobFinish,
  massSendJobFinishAdminRejected,
  massSendJobFinishDocumentedSample,
  massSendJobFinishEmptyArticleUrlResult,
  PUSH_MSG_ID,
  subscribeEvent,
  textMessage,
} from '../../fixtures/mass-send-job-finish';
import { officialAccountTextMessage as oaVector } from '../../fixtures/wxbizmsgcrypt-vectors';
import {
  AES_KEY,
  APP_ID,
  callbackDeps,
  captureLog,
  driveCallback,
  NOW_MS,
  plainPush,
  PREVIOUS_AES_KEY,
  PREVIOUS_TOKEN,
  safePush,
  signedEncrypt,
  signedQuery,
  TIMESTAMP,
  TOKEN,
  urlVerification,
} from './callback-requests';

function setup(overrides: Partial<CallbackHandlerDeps> = {}) {
  const store = overrides.store ?? createMemoryStore(() => NOW_MS);
  const log = captureLog();
  const notified: MassSendJobReport[] = [];
  const deps = callbackDeps({
    tokens: [TOKEN, PREVIOUS_TOKEN],
    aesKeys: [AES_KEY, PREVIOUS_AES_KEY],
    store,
    notify: async (report) => {
      notified.push(report);
    },
    log,
    ...overrides,
  });
  return { handle: driveCallback(createCallbackHandler(deps)), store, log, notified };
}

// The answer WeChat sees; logFields (for the invocation's log line) vary per outcome.
const success = expect.objectContaining({ status: 200, contentType: 'text/plain; charset=utf-8', body: 'success' });

/** The writes of `msgId`'s report among a store spy's calls (request claims use the same store). */
function reportWrites(spy: { mock: { calls: unknown[][] } }, msgId = PUSH_MSG_ID): unknown[][] {
  return spy.mock.calls.filter(([key]) => key === massReportKey(APP_ID, msgId));
}

describe('URL verification (GET)', () => {
  it('answers echostr verbatim when the signature checks out', async () => {
    const { handle } = setup();
    const res = await handle(urlVerification({}, '5837397520665436492'));
    expect(res).toMatchObject({ status: 200, contentType: 'text/plain; charset=utf-8', body: '5837397520665436492' });
    expect(res.logFields).toEqual({ outcome: 'callback URL verified' });
  });

  it('accepts the previous token during a rotation', async () => {
    const { handle } = setup();
    expect((await handle(urlVerification({ token: PREVIOUS_TOKEN }))).status).toBe(200);
  });

  it('refuses a signature made with another token and does not echo', async () => {
    const { handle } = setup();
    const res = await handle(urlVerification({ token: 'guessed-token' }, 'echo-me'));
    expect(res.status).toBe(401);
    expect(res.body).not.toContain('echo-me');
  });

  it('refuses a stale timestamp even with a good signature', async () => {
    const { handle } = setup();
    const res = await handle(urlVerification({ timestamp: String(NOW_MS / 1000 - 301) }));
    expect(res).toMatchObject({ status: 401, body: 'stale_timestamp' });
  });

  it('answers 400 when a parameter is missing', async () => {
    const { handle } = setup();
    const { echostr: _dropped, ...query } = urlVerification().query;
    expect((await handle({ method: 'GET', query, body: '' })).status).toBe(400);
    expect((await handle({ method: 'GET', query: {}, body: '' })).status).toBe(400);
  });
});

describe('MASSSENDJOBFINISH pushes (POST)', () => {
  it('records a plain-mode push and answers success when no EncodingAESKey is configured', async () => {
    const { handle, store, notified } = setup({ aesKeys: [] });
    const res = await handle(plainPush(massSendJobFinish({ msgId: '3147494552' })));
    expect(res).toEqual(success);
    const report = await readMassReport(store, APP_ID, '3147494552');
    expect(report).toMatchObject({ msgId: '3147494552', status: { kind: 'success' } });
    expect(notified).toHaveLength(1);
  });

  it('records the documented sample push, encrypted, with its copyright check', async () => {
    const { handle, store } = setup();
    expect(await handle(safePush(massSendJobFinishDocumentedSample))).toEqual(success);
    const report = await readMassReport(store, APP_ID, '1000001625');
    expect(report?.status).toEqual({ kind: 'error', code: 30003, reason: 'originality_check_reprint_not_sent' });
    expect(report?.copyrightCheck?.results.map((r) => r.originalArticleUrl)).toEqual(['Url_1', 'Url_2']);
  });

  it('records a push with an empty ArticleUrlResult', async () => {
    const { handle, store } = setup();
    expect(await handle(safePush(massSendJobFinishEmptyArticleUrlResult))).toEqual(success);
    expect((await readMassReport(store, APP_ID, '3147494552'))?.articleUrls).toEqual([]);
  });

  it('records err(40001) as the admin rejecting the send, not as a token problem', async () => {
    const { handle, store, log } = setup();
    expect(await handle(safePush(massSendJobFinishAdminRejected))).toEqual(success);
    expect((await readMassReport(store, APP_ID, '3147494552'))?.status).toEqual({
      kind: 'error',
      code: 40001,
      reason: 'admin_rejected',
    });
    expect(log.lines.some((line) => line.includes('"level":"error"'))).toBe(false);
  });

  it('prefers the decrypted content over the plaintext fields of compatible mode', async () => {
    const { handle, store } = setup();
    const res = await handle(
      safePush(massSendJobFinish({ msgId: '2000000002' }), { compatFields: '<MsgID>1000000001</MsgID>' }),
    );
    expect(res).toEqual(success);
    expect(await readMassReport(store, APP_ID, '2000000002')).not.toBeNull();
    expect(await readMassReport(store, APP_ID, '1000000001')).toBeNull();
  });

  it('accepts a push encrypted with the previous EncodingAESKey and signed with the previous token', async () => {
    const { handle, store } = setup();
    const res = await handle(safePush(massSendJobFinish(), { aesKey: PREVIOUS_AES_KEY, token: PREVIOUS_TOKEN }));
    expect(res).toEqual(success);
    expect(await readMassReport(store, APP_ID, '3147494552')).not.toBeNull();
  });

  it('stores one report when several instances receive redeliveries at once', async () => {
    const store = createMemoryStore(() => NOW_MS);
    const instances = [setup({ store }), setup({ store }), setup({ store })];
    const push = massSendJobFinish({ msgId: '3147494552' });
    const setIfAbsent = vi.spyOn(store, 'setIfAbsent');

    const answers = await Promise.all(
      [0, 1, 2, 0, 1, 2].map((i, n) => instances[i]!.handle(safePush(push, { nonce: `retry-${n}` }))),
    );

    expect(answers).toEqual(Array(6).fill(success));
    const writes = await Promise.all(
      setIfAbsent.mock.results
        .filter((_, i) => setIfAbsent.mock.calls[i]![0] === massReportKey(APP_ID, '3147494552'))
        .map((r) => r.value as Promise<boolean>),
    );
    expect(writes).toHaveLength(6);
    expect(writes.filter(Boolean)).toHaveLength(1);
    expect(instances.flatMap((i) => i.notified)).toHaveLength(1);
    expect(await readMassReport(store, APP_ID, '3147494552')).toMatchObject({ msgId: '3147494552' });
  });
});

describe('the official Official Account vector through the handler', () => {
  it('accepts the sample compat-mode text message and acknowledges it', async () => {
    const { handle, store } = setup({
      appId: oaVector.appId,
      tokens: [oaVector.token],
      aesKeys: [oaVector.encodingAesKey],
      now: () => Number(oaVector.timestamp) * 1000,
    });
    const query = {
      signature: sha1Signature([oaVector.token, oaVector.timestamp, oaVector.nonce]),
      timestamp: oaVector.timestamp,
      nonce: oaVector.nonce,
      encrypt_type: 'aes',
      msg_signature: oaVector.msgSignature,
    };
    expect(await handle({ method: 'POST', query, body: oaVector.body })).toEqual(success);
    expect(await store.get(massReportKey(oaVector.appId, '6054768590064713728'))).toBeNull();
  });
});

describe('other pushes', () => {
  it('acknowledges a subscribe event and stores nothing', async () => {
    const store = createMemoryStore(() => NOW_MS);
    const set = vi.spyOn(store, 'setIfAbsent');
    const { handle, notified } = setup({ store });
    const { handle: plainOnly, notified: notifiedPlain } = setup({ store, aesKeys: [] });
    const subscribe = safePush(subscribeEvent);
    const text = plainPush(textMessage);
    expect(await handle(subscribe)).toEqual(success);
    expect(await plainOnly(text)).toEqual(success);
    // Only the two request claims: no report under any key.
    expect(set.mock.calls.map(([key]) => key)).toEqual([
      replayKey(APP_ID, subscribe.query.signature!),
      replayKey(APP_ID, text.query.signature!),
    ]);
    expect(notified).toHaveLength(0);
    expect(notifiedPlain).toHaveLength(0);
  });
});

describe('refusals', () => {
  it('answers 413 for an oversized body before checking anything else', async () => {
    const { handle } = setup({ maxBodyBytes: 512 });
    const res = await handle({ method: 'POST', query: {}, body: `<xml>${'x'.repeat(600)}</xml>` });
    expect(res.status).toBe(413);
  });

  it('answers 401 for a missing or bad signature before parsing the body', async () => {
    const { handle } = setup();
    const garbage = '<<<definitely not xml';
    expect((await handle({ method: 'POST', query: {}, body: garbage })).status).toBe(401);
    const forged = { ...plainPush(garbage).query, signature: 'f'.repeat(40) };
    expect(await handle({ method: 'POST', query: forged, body: garbage })).toMatchObject({
      status: 401,
      body: 'bad_signature',
    });
    const wrongToken = plainPush(garbage, { token: 'guessed-token' });
    expect((await handle(wrongToken)).status).toBe(401);
  });

  it('answers 401 for a tampered msg_signature', async () => {
    const { handle, store } = setup();
    const req = safePush(massSendJobFinish());
    req.query.msg_signature = sha1Signature([TOKEN, 'tampered']);
    expect(await handle(req)).toMatchObject({ status: 401, body: 'bad_msg_signature' });
    expect(await readMassReport(store, APP_ID, '3147494552')).toBeNull();
  });

  it('answers 401 when safe mode lacks msg_signature', async () => {
    const { handle } = setup();
    const req = safePush(massSendJobFinish());
    delete req.query.msg_signature;
    expect((await handle(req)).status).toBe(401);
  });

  it('answers 401 for stale and future timestamps', async () => {
    const { handle } = setup();
    const stale = safePush(massSendJobFinish(), { timestamp: String(NOW_MS / 1000 - 301) });
    const future = safePush(massSendJobFinish(), { timestamp: String(NOW_MS / 1000 + 301) });
    expect(await handle(stale)).toMatchObject({ status: 401, body: 'stale_timestamp' });
    expect(await handle(future)).toMatchObject({ status: 401, body: 'stale_timestamp' });
  });

  it('honours the configured window', async () => {
    const { handle } = setup({ windowSeconds: 30 });
    const req = safePush(massSendJobFinish(), { timestamp: String(NOW_MS / 1000 - 60) });
    expect((await handle(req)).status).toBe(401);
  });

  it('answers 400 for a push for another AppID, even correctly signed', async () => {
    const { handle, log } = setup();
    const res = await handle(safePush(massSendJobFinish(), { appId: 'wxffffffffffffffff' }));
    expect(res).toMatchObject({ status: 400, body: 'cannot_decrypt' });
    // The invocation's one log line says why, at warn; the handler writes no line of its own.
    expect(res).toMatchObject({
      logLevel: 'warn',
      logFields: { outcome: 'callback rejected', reason: 'cannot_decrypt', cryptoError: 'appid_mismatch' },
    });
    expect(log.lines).toEqual([]);
  });

  it('answers 400 for a push encrypted with a key we do not hold', async () => {
    const { handle } = setup({ aesKeys: [AES_KEY] });
    expect((await handle(safePush(massSendJobFinish(), { aesKey: PREVIOUS_AES_KEY }))).status).toBe(400);
  });

  it('answers 400 for a signed Encrypt that is not base64', async () => {
    const { handle } = setup();
    expect((await handle(signedEncrypt('!!!not-base64!!!'))).status).toBe(400);
  });

  it('answers 400 for malformed XML, signed', async () => {
    const { handle } = setup();
    const { handle: plainOnly } = setup({ aesKeys: [] });
    expect(await plainOnly(plainPush('<xml><MsgType>event</xml>'))).toMatchObject({
      status: 400,
      body: 'malformed_xml',
    });
    expect((await handle(safePush('<xml><MsgType>'))).status).toBe(400);
    expect((await handle({ ...safePush(''), body: '<xml><Encrypt>' })).status).toBe(400);
  });

  it('answers 400 for a DTD or an entity declaration, signed', async () => {
    const { handle } = setup();
    const { handle: plainOnly } = setup({ aesKeys: [] });
    const xxe =
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><MsgType>&e;</MsgType></xml>';
    expect((await plainOnly(plainPush(xxe))).status).toBe(400);
    expect((await handle(safePush(xxe))).status).toBe(400);
  });

  it('answers 400 naming the missing field of a MASSSENDJOBFINISH', async () => {
    const { handle } = setup();
    const push = massSendJobFinish().replace(/<MsgID>.*<\/MsgID>/, '');
    expect(await handle(safePush(push))).toMatchObject({ status: 400, body: 'invalid_field:MsgID' });
  });

  it('answers 400 for a safe-mode envelope without Encrypt', async () => {
    const { handle } = setup();
    const req = safePush(massSendJobFinish());
    expect((await handle({ ...req, body: '<xml><ToUserName>gh</ToUserName></xml>' })).status).toBe(400);
  });

  it('answers 400 for an unknown encrypt_type', async () => {
    const { handle } = setup();
    const req = plainPush(massSendJobFinish());
    expect((await handle({ ...req, query: { ...req.query, encrypt_type: 'des' } })).status).toBe(400);
  });

  it('answers 405 for other methods', async () => {
    const { handle } = setup();
    expect((await handle({ method: 'PUT', query: signedQuery(), body: '' })).status).toBe(405);
  });

  it('answers 500 and logs an error when safe mode arrives but no EncodingAESKey is configured', async () => {
    const { handle } = setup({ aesKeys: [] });
    const res = await handle(safePush(massSendJobFinish()));
    expect(res).toMatchObject({
      status: 500,
      body: 'internal error',
      logLevel: 'error',
      logFields: { outcome: 'callback misconfigured', reason: 'aes_not_configured' },
    });
  });

  it('answers 500 when the store fails, so that WeChat retries', async () => {
    const broken: Store = {
      ...createMemoryStore(),
      setIfAbsent: () => Promise.reject(new Error('store unavailable')),
    };
    const { handle } = setup({ store: broken });
    expect(await handle(safePush(massSendJobFinish()))).toMatchObject({ status: 500, body: 'internal error' });
  });

  it('refuses to start without a token or with a malformed EncodingAESKey', () => {
    expect(() => setup({ tokens: [] })).toThrow();
    expect(() => setup({ aesKeys: ['too-short'] })).toThrow();
  });
});

describe('plain mode once an EncodingAESKey is configured', () => {
  it('refuses a correctly signed plain push with 401 plain_push_refused and stores nothing', async () => {
    const { handle, store } = setup();
    const set = vi.spyOn(store, 'setIfAbsent');
    expect(await handle(plainPush(massSendJobFinish()))).toMatchObject({ status: 401, body: 'plain_push_refused' });
    const raw = plainPush(massSendJobFinish());
    raw.query.encrypt_type = 'raw';
    expect(await handle(raw)).toMatchObject({ status: 401, body: 'plain_push_refused' });
    expect(reportWrites(set)).toEqual([]);
  });

  it('accepts plain pushes beside safe ones while acceptPlain is on (switching the account to safe mode)', async () => {
    const { handle, store } = setup({ acceptPlain: true });
    expect(await handle(plainPush(massSendJobFinish({ msgId: '7' })))).toEqual(success);
    expect(await handle(safePush(massSendJobFinish({ msgId: '8' })))).toEqual(success);
    expect(await readMassReport(store, APP_ID, '7')).not.toBeNull();
    expect(await readMassReport(store, APP_ID, '8')).not.toBeNull();
  });

  it('still accepts safe and compatible mode, which both send encrypt_type=aes', async () => {
    const { handle, store } = setup();
    expect(await handle(safePush(massSendJobFinish({ msgId: '1' })))).toEqual(success);
    const compat = massSendJobFinish({ msgId: '2' });
    expect(await handle(safePush(compat, { compatFields: '<MsgID>2</MsgID>' }))).toEqual(success);
    expect(await readMassReport(store, APP_ID, '1')).not.toBeNull();
    expect(await readMassReport(store, APP_ID, '2')).not.toBeNull();
  });
});

describe('replayed requests', () => {
  it('answers a replayed plain query carrying another body with success, without recording it', async () => {
    const { handle, store, log, notified } = setup({ aesKeys: [] });
    const real = plainPush(massSendJobFinish({ msgId: '3147494552' }), { nonce: 'captured' });
    expect(await handle(real)).toEqual(success);

    const forged = { ...real, body: massSendJobFinish({ msgId: '3147494553', status: 'send fail' }) };
    const upperCased = { ...forged, query: { ...real.query, signature: real.query.signature!.toUpperCase() } };
    const answers = [await handle(forged), await handle(upperCased)];
    expect(answers).toEqual([success, success]);
    expect(answers.map((a) => a.logFields?.outcome)).toEqual(['callback replay ignored', 'callback replay ignored']);

    expect(await readMassReport(store, APP_ID, '3147494553')).toBeNull();
    expect(notified.map((r) => r.msgId)).toEqual(['3147494552']);
    expect(log.lines.filter((line) => line.includes('callback replay ignored'))).toHaveLength(0);
  });

  it('does not decrypt or store a safe-mode request a second time', async () => {
    const { handle, store } = setup();
    const setIfAbsent = vi.spyOn(store, 'setIfAbsent');
    const req = safePush(massSendJobFinish(), { nonce: 'same-request' });
    expect(await handle(req)).toEqual(success);
    expect(await handle(req)).toEqual(success);
    expect(reportWrites(setIfAbsent)).toHaveLength(1);
  });

  it('stores one report for redeliveries, with the same signature or re-signed', async () => {
    const { handle, store, notified } = setup();
    const setIfAbsent = vi.spyOn(store, 'setIfAbsent');
    const push = massSendJobFinish({ msgId: '3147494552' });
    const first = safePush(push, { nonce: 'try-1' });
    const answers = [await handle(first), await handle(first), await handle(safePush(push, { nonce: 'try-2' }))];
    expect(answers).toEqual([success, success, success]);
    expect(reportWrites(setIfAbsent)).toHaveLength(2);
    expect(notified).toHaveLength(1);
    expect(await readMassReport(store, APP_ID, '3147494552')).toMatchObject({ msgId: '3147494552' });
  });

  it(
    'processes only one of two copies of a signed request arriving at once, ' + 'and has WeChat retry the other',
    async () => {
      const { handle, store } = setup({ aesKeys: [] });
      const real = plainPush(massSendJobFinish({ msgId: '3147494552' }), { nonce: 'raced' });
      const forged = { ...real, body: massSendJobFinish({ msgId: '3147494553' }) };
      const answers = await Promise.all([handle(real), handle(forged)]);
      expect(answers.map((a) => a.status).sort()).toEqual([200, 503]);
      const stored = [
        await readMassReport(store, APP_ID, '3147494552'),
        await readMassReport(store, APP_ID, '3147494553'),
      ];
      expect(stored.filter(Boolean)).toHaveLength(1);
      // Once the first copy is done, a later copy is acknowledged and not processed.
      expect(await handle(forged)).toEqual(success);
      expect(stored.filter(Boolean)).toHaveLength(1);
    },
  );

  it('claims a request for seconds while processing it, then remembers it for twice the timestamp window', async () => {
    const { handle, store } = setup({ windowSeconds: 120 });
    const claim = vi.spyOn(store, 'setIfAbsent');
    const done = vi.spyOn(store, 'set');
    const req = safePush(subscribeEvent);
    await handle(req);
    const key = replayKey(APP_ID, req.query.signature!);
    expect(claim).toHaveBeenCalledWith(key, expect.stringMatching(/^pending:/), PROCESSING_CLAIM_MS);
    expect(PROCESSING_CLAIM_MS).toBeLessThanOrEqual(10_000);
    expect(done).toHaveBeenCalledWith(key, 'done', 240_000);
  });

  it("does not remember a request that failed, so that WeChat's retry is processed", async () => {
    const store = createMemoryStore(() => NOW_MS);
    const original = store.setIfAbsent.bind(store);
    let failed = false;
    const setIfAbsent = vi.spyOn(store, 'setIfAbsent').mockImplementation((key, value, ttl) => {
      if (key === massReportKey(APP_ID, PUSH_MSG_ID) && !failed) {
        failed = true;
        return Promise.reject(new Error('store unavailable'));
      }
      return original(key, value, ttl);
    });
    const { handle } = setup({ store });
    const req = safePush(massSendJobFinish(), { nonce: 'retried' });
    expect((await handle(req)).status).toBe(500);
    expect(await handle(req)).toEqual(success);
    expect(reportWrites(setIfAbsent)).toHaveLength(2);
    expect(await readMassReport(store, APP_ID, '3147494552')).not.toBeNull();
  });

  it('does not remember a refused request', async () => {
    const { handle, store } = setup();
    const req = safePush(massSendJobFinish(), { nonce: 'tampered' });
    const good = req.query.msg_signature;
    req.query.msg_signature = sha1Signature([TOKEN, 'tampered']);
    expect((await handle(req)).status).toBe(401);
    req.query.msg_signature = good;
    expect(await handle(req)).toEqual(success);
    expect(await readMassReport(store, APP_ID, '3147494552')).not.toBeNull();
  });
});

describe('acknowledgement speed', () => {
  it('waits for a quick notification, so that SCF does not freeze it half-sent', async () => {
    const order: string[] = [];
    const { handle } = setup({
      notify: async () => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        order.push('notified');
      },
    });
    const answer = await handle(safePush(massSendJobFinish()));
    order.push('answered');
    expect(answer).toEqual(success);
    expect(order).toEqual(['notified', 'answered']);
  });

  it('waits for a notification that never settles no longer than notifyWaitMs', async () => {
    const { handle, log } = setup({ notify: () => new Promise<void>(() => {}), notifyWaitMs: 200 });
    const started = performance.now();
    expect(await handle(safePush(massSendJobFinish()))).toEqual(success);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(200 + 250);
    expect(log.lines.join('\n')).toContain('notification still pending');
  });

  it('answers success when the notification throws or rejects', async () => {
    const { handle: throwing, log } = setup({
      notify: () => {
        throw new Error('receiver down');
      },
    });
    const { handle: rejecting } = setup({ notify: () => Promise.reject(new Error('receiver down')) });
    expect(await throwing(safePush(massSendJobFinish()))).toEqual(success);
    expect(await rejecting(safePush(massSendJobFinish()))).toEqual(success);
    expect(log.lines.join('\n')).toContain('mass send report notification failed');
  });

  it('does not notify, nor wait, for a redelivered report', async () => {
    const store = createMemoryStore(() => NOW_MS);
    const notify = vi.fn(() => new Promise<void>(() => {}));
    const { handle } = setup({ store, notify, notifyWaitMs: 300 });
    await handle(safePush(massSendJobFinish(), { nonce: 'first' }));
    const started = performance.now();
    expect(await handle(safePush(massSendJobFinish(), { nonce: 'second' }))).toEqual(success);
    expect(performance.now() - started).toBeLessThan(250);
    expect(notify).toHaveBeenCalledTimes(1);
  });
});

describe('logging', () => {
  it('never logs tokens, keys, signatures or decrypted content', async () => {
    const { handle, log } = setup();
    const secretWords = 'secret follower words';
    const mass = safePush(massSendJobFinishDocumentedSample);
    const text = safePush(textMessage);
    const foreign = safePush(textMessage, { appId: 'wxffffffffffffffff' });
    const badKey = safePush(textMessage, { aesKey: 'ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ' });
    const requests = [
      urlVerification(),
      urlVerification({ token: 'guessed-token' }),
      mass,
      mass,
      text,
      foreign,
      badKey,
      plainPush('<xml><MsgType>'),
      safePush(massSendJobFinish().replace(/<MsgID>.*<\/MsgID>/, '')),
    ];
    // The handler logs refusals itself and hands the rest to the invocation's log line.
    const logFields: string[] = [];
    for (const req of requests) {
      const fields = (await handle(req)).logFields;
      if (fields) logFields.push(JSON.stringify(fields));
    }

    const output = [...log.lines, ...logFields].join('\n');
    expect(log.lines.length + logFields.length).toBeGreaterThanOrEqual(requests.length);
    const forbidden = [
      TOKEN,
      PREVIOUS_TOKEN,
      AES_KEY,
      PREVIOUS_AES_KEY,
      secretWords,
      'oV5CrjpxgaGXNHIQigzNlgLTnwic',
      'Url_1',
      'gh_4d00ed8d6399',
      ...requests.flatMap((r) => [r.query.signature, r.query.msg_signature]),
    ].filter((value): value is string => typeof value === 'string' && value.length > 0);
    for (const value of forbidden) expect(output).not.toContain(value);
    for (const req of requests) {
      const encrypted = /<Encrypt><!\[CDATA\[(.*?)\]\]>/.exec(req.body)?.[1];
      if (encrypted) expect(output).not.toContain(encrypted.slice(0, 24));
    }
  });
});

describe('replay keys come from what is authenticated', () => {
  it('ignores a captured safe-mode query replayed as a plain push with a forged body (acceptPlain on)', async () => {
    const { handle, store, notified } = setup({ acceptPlain: true });
    const real = safePush(massSendJobFinish({ msgId: '3147494552' }));
    expect(await handle(real)).toEqual(success);

    const { encrypt_type: _mode, msg_signature: _msg, ...plainQuery } = real.query;
    const forged = { method: 'POST', query: plainQuery, body: massSendJobFinish({ msgId: '9999999999' }) };
    expect(await handle(forged)).toEqual(success);

    expect(await readMassReport(store, APP_ID, '9999999999')).toBeNull();
    expect(notified.map((r) => r.msgId)).toEqual(['3147494552']);
  });

  it("does not let a URL verification's query come back as a push", async () => {
    const { handle, store, notified } = setup({ aesKeys: [] });
    const verification = urlVerification();
    expect((await handle(verification)).status).toBe(200);

    const { echostr: _echo, ...query } = verification.query;
    expect(await handle({ method: 'POST', query, body: massSendJobFinish({ msgId: '9999999999' }) })).toEqual(success);
    expect(await readMassReport(store, APP_ID, '9999999999')).toBeNull();
    expect(notified).toEqual([]);
  });

  it('refuses a leading-zero timestamp; one signature never stands for two (timestamp, nonce) pairs', async () => {
    const { handle, store } = setup({ aesKeys: [] });
    const real = plainPush(massSendJobFinish({ msgId: '3147494552' }), { nonce: '0123450' });
    // The sorted parts join into the same text: ("0" + ts, "012345") signs as (ts, "0123450").
    const shifted = { timestamp: `0${TIMESTAMP}`, nonce: '012345' };
    expect(sha1Signature([TOKEN, shifted.timestamp, shifted.nonce])).toBe(real.query.signature);

    expect(await handle(real)).toEqual(success);
    const forged = {
      method: 'POST',
      query: { ...real.query, ...shifted },
      body: massSendJobFinish({ msgId: '9999999999' }),
    };
    expect(await handle(forged)).toMatchObject({ status: 401, body: 'stale_timestamp' });
    expect(await readMassReport(store, APP_ID, '9999999999')).toBeNull();
    // A fresh signature over a zero-padded timestamp is refused as well.
    expect(await handle(plainPush(massSendJobFinish(), { timestamp: `00${TIMESTAMP}` }))).toMatchObject({
      status: 401,
      body: 'stale_timestamp',
    });
  });
});

describe('a claim never swallows a real push', () => {
  it('records the push when its own claim was written twice (SET NX re-sent after a dropped reply)', async () => {
    const memory = createMemoryStore(() => NOW_MS);
    const { handle, log } = setup({ store: resendingSetIfAbsent(memory) });
    expect(await handle(safePush(massSendJobFinish({ msgId: '3147494552' })))).toEqual(success);
    expect(await readMassReport(memory, APP_ID, '3147494552')).toMatchObject({ msgId: '3147494552' });
    expect(log.lines.join('\n')).not.toContain('callback replay ignored');
  });

  it("processes WeChat's retry once the invocation that claimed the push died, within seconds", async () => {
    let now = NOW_MS;
    const memory = createMemoryStore(() => now);
    // The first invocation stalls on the report write until SCF kills it: it never answers.
    const stalled: Store = {
      ...memory,
      setIfAbsent: (key, value, ttl) =>
        key === massReportKey(APP_ID, '3147494552')
          ? new Promise<boolean>(() => {})
          : memory.setIfAbsent(key, value, ttl),
    };
    const push = safePush(massSendJobFinish({ msgId: '3147494552' }));
    const dying = setup({ store: stalled, now: () => now });
    void dying.handle(push);
    await vi.waitFor(async () => expect(await memory.get(replayKey(APP_ID, push.query.signature!))).not.toBeNull());

    // WeChat gives up on the answer after ~5 s and redelivers the same request (then twice more).
    const next = setup({ store: memory, now: () => now });
    now += 5_000;
    expect((await next.handle(push)).status).toBe(503);
    now += 5_000;
    expect(await next.handle(push)).toEqual(success);
    expect(await readMassReport(memory, APP_ID, '3147494552')).toMatchObject({ msgId: '3147494552' });
    expect(next.notified).toHaveLength(1);
  });
});

describe('the one log line of a push the store fails', () => {
  it('answers success when only the done marker fails, and says so at warn', async () => {
    const memory = createMemoryStore(() => NOW_MS);
    const failingSet: Store = { ...memory, set: () => Promise.reject(new Error('the shared store failed')) };
    const { handle, log } = setup({ store: failingSet });
    const res = await handle(safePush(massSendJobFinish({ msgId: '3147494553' })));
    expect(res).toEqual(success);
    expect(res).toMatchObject({
      logLevel: 'warn',
      logFields: { outcome: 'mass send report recorded', claimKept: false },
    });
    expect(await readMassReport(memory, APP_ID, '3147494553')).toMatchObject({ msgId: '3147494553' });
    expect(log.lines).toEqual([]);
  });

  it('answers 500 at error, naming the failure, when neither the report nor the claim release is written', async () => {
    const memory = createMemoryStore(() => NOW_MS);
    const broken: Store = {
      ...memory,
      setIfAbsent: (key, value, ttl) =>
        key.startsWith('mass:report:')
          ? Promise.reject(new Error('the shared store failed'))
          : memory.setIfAbsent(key, value, ttl),
      compareAndDelete: () => Promise.reject(new Error('the shared store failed')),
    };
    const { handle, log } = setup({ store: broken });
    const res = await handle(safePush(massSendJobFinish({ msgId: '3147494554' })));
    expect(res).toMatchObject({
      status: 500,
      body: 'internal error',
      logLevel: 'error',
      logFields: { outcome: 'callback failed', errorName: 'Error', errorMessage: 'the shared store failed' },
    });
    expect(log.lines).toEqual([]);
  });
});

describe('reports are scoped by account', () => {
  it('keeps the reports of two Official Accounts that share a store and a MsgID apart', async () => {
    const store = createMemoryStore(() => NOW_MS);
    const first = setup({ store, aesKeys: [] });
    const second = setup({ store, aesKeys: [], appId: 'wxfedcba9876543210' });
    expect(await first.handle(plainPush(massSendJobFinish({ msgId: '3147494552' })))).toEqual(success);
    expect(await second.handle(plainPush(massSendJobFinish({ msgId: '3147494552', status: 'send fail' })))).toEqual(
      success,
    );
    expect((await readMassReport(store, APP_ID, '3147494552'))?.status.kind).toBe('success');
    expect((await readMassReport(store, 'wxfedcba9876543210', '3147494552'))?.status.kind).toBe('fail');
    expect(second.notified).toHaveLength(1);
  });

  it("refuses a push addressed to another account's original ID, and accepts its own", async () => {
    const other = setup({ originalId: 'gh_0000000000aa' });
    expect(await other.handle(safePush(massSendJobFinish()))).toMatchObject({ status: 403, body: 'wrong_account' });
    expect(await readMassReport(other.store, APP_ID, '3147494552')).toBeNull();

    const own = setup({ originalId: 'gh_4d00ed8d6399' });
    expect(await own.handle(safePush(massSendJobFinish()))).toEqual(success);
    expect(await readMassReport(own.store, APP_ID, '3147494552')).not.toBeNull();
  });

  // The configuration takes GH_… as well as gh_…: refusing every push for the letters' case
  // would lose every report once WeChat stops retrying.
  it('matches the original ID whatever the case it was configured in', async () => {
    const upper = setup({ originalId: 'GH_4D00ED8D6399' });
    expect(await upper.handle(safePush(massSendJobFinish()))).toEqual(success);
  });
});
