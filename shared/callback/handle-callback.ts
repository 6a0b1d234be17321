import { bodyText, queryParams, type ApiHandler } from '../http/api-gateway';
import type { Logger } from '../log';
import type { Store } from '../store/store';
import { decodeAesKey, decryptMessage, isCallbackCryptoError } from '../wechat/callback-crypto';
import { isFresh, verifySignature } from '../wechat/signature';
import { recordMassReport } from '../reports/mass-report-store';
import type { MassSendJobReport } from '../reports/mass-send-job-report';
import { CallbackValidationError, type CallbackMessage, parseCallbackMessage } from './messages';
import { readSafeEnvelope } from './envelope';
import { DEFAULT_NOTIFY_WAIT_MS, notifyWithin } from './notify';
import {
  type ClaimOutcome,
  claimOutcome,
  claimRequest,
  markDone,
  newClaim,
  releaseRequest,
  rememberVerification,
  replayKey,
} from './replay-cache';
import { parseXml, XmlError, type XmlValue } from './xml';

export interface CallbackRequest {
  method: string;
  query: Record<string, string | undefined>;
  body: string;
}

export interface CallbackResponse {
  status: number;
  contentType: string;
  body: string;
  /** What happened, for the invocation's one log line (the caller writes it). */
  logFields?: Record<string, unknown>;
  /** That line's level: refusals are `warn`, faults `error`; default `info`. */
  logLevel?: 'warn' | 'error';
}

export type CallbackLog = Pick<Logger, 'info' | 'warn' | 'error'>;

export interface CallbackHandlerDeps {
  appId: string;
  /** The account's original ID (原始ID, gh_…): pushes addressed to another account are refused. */
  originalId?: string;
  /** Callback tokens, current first, then the previous one during a rotation. */
  tokens: string[];
  /** EncodingAESKeys, current first; empty means plain mode only, else plain mode is refused. */
  aesKeys: string[];
  /** Accept plain pushes although a key is set: only while switching plain → safe mode. */
  acceptPlain?: boolean;
  /** Accepted distance of `timestamp` from now, either side. */
  windowSeconds: number;
  maxBodyBytes: number;
  now: () => number;
  store: Store;
  /** Operator notification of a first delivery; its promise should never reject. */
  notify?: (report: MassSendJobReport) => Promise<void>;
  /** How long the answer to WeChat waits for `notify` at most (default 1500 ms). */
  notifyWaitMs?: number;
  log: CallbackLog;
}

const TEXT = 'text/plain; charset=utf-8';
// WeChat treats "success" (or an empty body) as "received, do not retry".
const success = (logFields: Record<string, unknown>): CallbackResponse => ({
  status: 200,
  contentType: TEXT,
  body: 'success',
  logFields,
});

type Rejection = [status: number, reason: string];
type MassSendJobFinish = Extract<CallbackMessage, { kind: 'mass_send_job_finish' }>;

/**
 * The developer-URL protocol: GET URL verification, POST pushes in plain, compatible and safe
 * (`encrypt_type=aes`) mode. Every refusal is a 4xx naming a reason code; only a failing
 * store (or a bug) gives a 500, which makes WeChat retry. Stale or future timestamps are 401:
 * they fail authentication the same way a bad signature does (a possible replay). Plain mode
 * is accepted only while no EncodingAESKey is set, and a signed query already processed is
 * acknowledged without being processed again (./replay-cache).
 */
export function createCallbackHandler(deps: CallbackHandlerDeps): ApiHandler {
  if (deps.tokens.length === 0) throw new Error('createCallbackHandler needs at least one callback token');
  for (const key of deps.aesKeys) decodeAesKey(key);
  const xmlLimits = { maxBytes: deps.maxBodyBytes };
  const decryptOptions = { keys: deps.aesKeys, appId: deps.appId };

  // Every outcome goes into the invocation's one log line, refusals and faults included.
  const reject = ([status, reason]: Rejection, fields: Record<string, unknown> = {}): CallbackResponse => ({
    status,
    contentType: TEXT,
    body: reason,
    logLevel: 'warn',
    logFields: { outcome: 'callback rejected', reason, ...fields },
  });

  function authenticate(query: CallbackRequest['query']): Rejection | undefined {
    const { signature, timestamp, nonce } = query;
    if (!signature) return [401, 'missing_signature'];
    if (!timestamp || !nonce) return [400, 'missing_parameters'];
    if (!verifySignature(signature, deps.tokens, [timestamp, nonce])) return [401, 'bad_signature'];
    if (!isFresh(timestamp, deps.now(), deps.windowSeconds)) return [401, 'stale_timestamp'];
    return undefined;
  }

  async function verifyUrl(query: CallbackRequest['query']): Promise<CallbackResponse> {
    const { signature, timestamp, nonce, echostr } = query;
    if (!signature || !timestamp || !nonce || echostr === undefined) return reject([400, 'missing_parameters']);
    const refused = authenticate(query);
    if (refused) return reject(refused);
    try {
      await rememberVerification(deps.store, replayKey(deps.appId, signature), deps.windowSeconds);
    } catch (error) {
      return failed(error);
    }
    // Official Accounts send a plain echostr even in safe mode (an encrypted one is WeCom's).
    return { status: 200, contentType: TEXT, body: echostr, logFields: { outcome: 'callback URL verified' } };
  }

  function parse(xml: string): XmlValue {
    return parseXml(xml, xmlLimits).value;
  }

  /** The envelope's Encrypt: WeChat's own safe-mode layout directly, anything else parsed. */
  function readEncrypt(body: string): XmlValue | XmlValue[] | undefined {
    const safe = readSafeEnvelope(body);
    if (safe !== undefined) return safe;
    const envelope = parse(body);
    return typeof envelope === 'object' ? envelope.Encrypt : undefined;
  }

  /** The plaintext XML of a push, or a rejection. */
  function open(req: CallbackRequest): string | Rejection {
    const mode = req.query.encrypt_type;
    if (mode === undefined || mode === '' || mode === 'raw') {
      // Plain mode signs no body. Compatible and safe mode both send encrypt_type=aes, so once
      // a key is set only a forger (or a misconfigured account) still posts in plain.
      return deps.aesKeys.length > 0 && !deps.acceptPlain ? [401, 'plain_push_refused'] : req.body;
    }
    if (mode !== 'aes') return [400, 'unsupported_encrypt_type'];
    const msgSignature = req.query.msg_signature;
    if (!msgSignature) return [401, 'missing_msg_signature'];
    if (deps.aesKeys.length === 0) return [500, 'aes_not_configured'];

    const encrypt = readEncrypt(req.body);
    if (typeof encrypt !== 'string' || encrypt === '') return [400, 'missing_encrypt'];
    const { timestamp = '', nonce = '' } = req.query;
    if (!verifySignature(msgSignature, deps.tokens, [timestamp, nonce, encrypt])) {
      return [401, 'bad_msg_signature'];
    }
    // Compatible mode also carries the plaintext fields beside Encrypt; the decrypted copy wins.
    return decryptMessage(encrypt, decryptOptions);
  }

  /**
   * A POST: claimed, processed, marked done. One async frame for the whole push (the steps
   * below it are synchronous or return the store's promise): each frame and await is an
   * allocation per push, which a container receiving a burst of pushes pays for in GC.
   */
  async function receive(req: CallbackRequest): Promise<CallbackResponse> {
    try {
      const { body } = req;
      // A UTF-16 code unit is at most 3 UTF-8 bytes: a short body needs no byte count.
      if (body.length * 3 > deps.maxBodyBytes && Buffer.byteLength(body, 'utf8') > deps.maxBodyBytes) {
        return reject([413, 'body_too_large']);
      }
      const refused = authenticate(req.query);
      if (refused) return reject(refused);
      // `signature` is authenticated above; whatever else the query says is not, yet.
      const claim = newClaim(replayKey(deps.appId, req.query.signature as string));
      let claimed: ClaimOutcome;
      try {
        claimed = claimOutcome(await claimRequest(deps.store, claim));
      } catch (err) {
        // A stalled store may still run the SET NX once it answers again: take the claim back
        // (the delete queues behind it on the same connection) so that WeChat's retry is processed.
        await releaseRequest(deps.store, claim).catch(() => {});
        throw err;
      }
      if (claimed === 'done') {
        return success({ outcome: 'callback replay ignored' });
      }
      if (claimed === 'busy') {
        // Another invocation is processing this request. Acknowledging it would lose the push if
        // that invocation dies; an error makes WeChat retry, and the retry finds it done.
        return {
          status: 503,
          contentType: TEXT,
          body: 'in_progress',
          logLevel: 'warn',
          logFields: { outcome: 'callback request already being processed', reason: 'in_progress' },
        };
      }
      let answer: CallbackResponse | undefined;
      try {
        const read = readPush(req);
        if ('kind' in read) {
          const { report } = read;
          const first = await recordMassReport(deps.store, deps.appId, report);
          if (first && deps.notify) {
            await notifyWithin(deps.notify, report, deps.notifyWaitMs ?? DEFAULT_NOTIFY_WAIT_MS, deps.log);
          }
          const outcome = first ? 'mass send report recorded' : 'mass send report redelivered';
          answer = success({ outcome, msgId: report.msgId, reportStatus: report.status.kind });
        } else {
          answer = read;
        }
      } finally {
        if (answer?.status !== 200) {
          const released = await releaseRequest(deps.store, claim).then(
            () => true,
            () => false,
          );
          if (answer && !released) answer = { ...answer, logFields: { ...answer.logFields, claimReleased: false } };
        }
      }
      if (answer.status === 200) {
        // Processed (the report is stored): failing to remember that only lets a replay be
        // processed again, which finds the report there and changes nothing.
        try {
          await markDone(deps.store, claim, deps.windowSeconds);
        } catch {
          answer = { ...answer, logLevel: 'warn', logFields: { ...answer.logFields, claimKept: false } };
        }
      }
      return answer;
    } catch (error) {
      return failed(error);
    }
  }

  /** A claimed push read: the answer (a refusal, an ignored message), or the report to record. */
  function readPush(req: CallbackRequest): CallbackResponse | MassSendJobFinish {
    const opened = open(req);
    if (Array.isArray(opened)) {
      if (opened[0] >= 500) {
        return {
          status: opened[0],
          contentType: TEXT,
          body: 'internal error',
          logLevel: 'error',
          logFields: { outcome: 'callback misconfigured', reason: opened[1] },
        };
      }
      return reject(opened);
    }

    const root = parse(opened);
    if (deps.originalId !== undefined && !addressedTo(root, deps.originalId)) return reject([403, 'wrong_account']);
    const message = parseCallbackMessage(root);
    switch (message.kind) {
      case 'ignored':
        return success({ outcome: 'callback acknowledged', msgType: message.msgType, event: message.event });
      case 'mass_send_job_finish':
        return message;
    }
  }

  /** What a thrown error answers: refusals of what the push holds, else a 500 (WeChat retries). */
  function failed(error: unknown): CallbackResponse {
    if (error instanceof XmlError) return reject([400, 'malformed_xml'], { xmlError: error.code });
    if (error instanceof CallbackValidationError) {
      return reject([400, `invalid_field:${error.field}`], { field: error.field });
    }
    if (isCallbackCryptoError(error)) return reject([400, 'cannot_decrypt'], { cryptoError: error.code });
    // Store outages land here; their messages carry no callback content.
    return {
      status: 500,
      contentType: TEXT,
      body: 'internal error',
      logLevel: 'error',
      logFields: {
        outcome: 'callback failed',
        errorName: error instanceof Error ? error.name : typeof error,
        errorMessage: error instanceof Error ? error.message : undefined,
      },
    };
  }

  function handle(req: CallbackRequest): Promise<CallbackResponse> {
    const method = req.method.toUpperCase();
    if (method === 'POST') return receive(req);
    if (method === 'GET') return verifyUrl(req.query);
    return Promise.resolve(reject([405, 'method_not_allowed']));
  }

  // The same handler type as the API routes: createScfHandler serves both.
  return (request) => handle({ method: request.method, query: queryParams(request), body: bodyText(request) });
}

/** Whether a push names `originalId` as its ToUserName (an account's 原始ID, gh_…). */
function addressedTo(root: XmlValue, originalId: string): boolean {
  const to = typeof root === 'object' ? root.ToUserName : undefined;
  return typeof to === 'string' && to.trim().toLowerCase() === originalId.toLowerCase();
}
