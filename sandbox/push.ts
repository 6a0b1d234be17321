import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { MASS_HELPER_OPENID, buildJobFinishXml, cdata } from './push-xml';
import { encryptForCallback, sha1Signature } from './push-crypto';
import type { CallbackConfig, MassMessage, PushAttempt, PushOutcome, SandboxState } from './state';
import { keepRecord, shortAppid } from './state';

/**
 * Delivers MASSSENDJOBFINISH to the developer URL the way WeChat does: POST with
 * `signature`, `timestamp`, `nonce`, `openid` in the query (plus `encrypt_type=aes` and
 * `msg_signature` in compat and safe mode). WeChat waits about 5 s and tries 3 times in all;
 * any 2xx counts as received. Retries resend the same signed request (whether WeChat re-signs
 * is undocumented).
 */
interface SignedPush {
  url: URL;
  body: string;
}

function signPush(xml: string, config: CallbackConfig, appid: string, ghId: string, createTime: number): SignedPush {
  const timestamp = String(createTime);
  const nonce = String(randomBytes(5).readUIntBE(0, 5));
  const url = new URL(config.url);
  url.searchParams.set('signature', sha1Signature([config.token, timestamp, nonce]));
  url.searchParams.set('timestamp', timestamp);
  url.searchParams.set('nonce', nonce);
  url.searchParams.set('openid', MASS_HELPER_OPENID);
  const mode = config.mode ?? 'plain';
  if (mode === 'plain' || config.encodingAesKey === undefined) return { url, body: xml };

  const encrypt = encryptForCallback(xml, config.encodingAesKey, appid);
  url.searchParams.set('encrypt_type', 'aes');
  url.searchParams.set('msg_signature', sha1Signature([config.token, timestamp, nonce, encrypt]));
  const body =
    mode === 'safe'
      ? `<xml><ToUserName>${cdata(ghId)}</ToUserName><Encrypt>${cdata(encrypt)}</Encrypt></xml>`
      : xml.replace(/<\/xml>$/, `<Encrypt>${cdata(encrypt)}</Encrypt></xml>`);
  return { url, body };
}

function postOnce(
  push: SignedPush,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<{ outcome: PushOutcome; httpStatus?: number }> {
  return new Promise((resolve) => {
    const send = push.url.protocol === 'https:' ? httpsRequest : httpRequest;
    let settled = false;
    const finish = (result: { outcome: PushOutcome; httpStatus?: number }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const req = send(push.url, {
      method: 'POST',
      agent: false,
      signal,
      headers: { 'content-type': 'text/xml; charset=utf-8', 'content-length': Buffer.byteLength(push.body) },
    });
    const timer = setTimeout(() => {
      finish({ outcome: 'timeout' });
      req.destroy();
    }, timeoutMs);
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        finish({ outcome: status >= 200 && status < 300 ? 'delivered' : 'http-error', httpStatus: status });
      });
      res.on('error', () => finish({ outcome: 'network-error', httpStatus: res.statusCode ?? 0 }));
    });
    req.on('error', () => finish({ outcome: 'network-error' }));
    req.end(push.body);
  });
}

function record(state: SandboxState, attempt: PushAttempt): void {
  keepRecord(state.pushes, attempt);
  const status = attempt.httpStatus === undefined ? '' : ` HTTP ${attempt.httpStatus}`;
  state.log(
    `PUSH MASSSENDJOBFINISH ${shortAppid(attempt.appid)} msg_id=${attempt.msgId} attempt ${attempt.attempt} ` +
      `→ ${attempt.outcome}${status} (${attempt.durationMs} ms)`,
  );
}

export async function deliverPush(state: SandboxState, msg: MassMessage, dropped: boolean): Promise<void> {
  const account = state.accounts.get(msg.appid);
  const createTime = Math.floor(state.clock.now() / 1000);
  const xml = buildJobFinishXml(msg, account?.ghId ?? 'gh_unknown', createTime);
  const base = { msgId: msg.msgId, appid: msg.appid, at: state.clock.now(), xml, durationMs: 0 };
  const config = state.callback;
  if (dropped || config === undefined) {
    record(state, { ...base, attempt: 0, outcome: dropped ? 'dropped' : 'no-callback' });
    return;
  }
  const push = signPush(xml, config, msg.appid, account?.ghId ?? 'gh_unknown', createTime);
  const target = `${push.url.origin}${push.url.pathname}`;
  for (let attempt = 1; attempt <= state.settings.pushAttempts; attempt += 1) {
    if (state.closing.signal.aborted) return;
    const started = Date.now();
    const result = await postOnce(push, state.settings.pushTimeoutMs, state.closing.signal);
    if (state.closing.signal.aborted) return;
    record(state, {
      ...base,
      at: state.clock.now(),
      attempt,
      url: target,
      mode: config.mode ?? 'plain',
      ...result,
      durationMs: Date.now() - started,
    });
    if (result.outcome === 'delivered') return;
  }
}
