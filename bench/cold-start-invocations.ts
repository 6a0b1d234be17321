import { DEMO_MEDIA } from '../sandbox/server';
import { ACCOUNT } from './bench-sandbox';
import { apiGatewayEvent, apiRequest, massSendJobFinishXml, signedEncryptedPush } from './events';

/** What a fresh container is asked first, and what proves it answered. */
export interface FirstInvocation {
  /** What the row says was invoked. */
  describe: string;
  event: unknown;
  /**
   * `api`: an integrated response with a 2xx status; `timer`: `{ok: true}`; `dispatch`: the
   * dispatcher's run summary (`{stopped, calls, ...}`).
   */
  expect: 'api' | 'timer' | 'dispatch';
}

export interface InvocationContext {
  /** A send to tag 100 the sandbox knows, for `status`. */
  statusMsgId: string;
  /** A finished mpnews send, for `delete` (deleting it again is allowed). */
  deleteMsgId: string;
  /** Distinct per run and store, so every send, clientmsgid and push is new work. */
  runKey: string;
  /** Distinct numeric id per run and store, for the callback's MsgID. */
  runNumber: number;
}

type Build = (ctx: InvocationContext) => FirstInvocation;

const [first = '', second = ''] = ACCOUNT.followers;
const text = (ctx: InvocationContext) => ({ type: 'text', content: `bench cold start ${ctx.runKey}` });
const api = (describe: string, request: ReturnType<typeof apiRequest>): FirstInvocation => ({
  describe,
  event: apiGatewayEvent(request),
  expect: 'api',
});

/** The cheapest real request each function answers, keyed by function name. */
export const FIRST_INVOCATIONS: Readonly<Record<string, Build>> = {
  status: (ctx) => api('GET /status?msgId=', apiRequest('GET', '/status', undefined, { msgId: ctx.statusMsgId })),
  speed: () => api('GET /speed', apiRequest('GET', '/speed')),
  'send-by-tag': (ctx) =>
    api(
      'POST /send-by-tag (tag 100)',
      apiRequest('POST', '/send-by-tag', {
        audience: { tagId: 100 },
        message: text(ctx),
        clientMsgId: `bench-${ctx.runKey}`,
      }),
    ),
  'send-by-list': (ctx) =>
    api(
      'POST /send-by-list (2 OpenIDs)',
      apiRequest('POST', '/send-by-list', {
        openIds: [first, second],
        message: text(ctx),
        clientMsgId: `bench-${ctx.runKey}`,
      }),
    ),
  preview: (ctx) =>
    api('POST /preview (WeChat ID)', apiRequest('POST', '/preview', { wechatId: 'sandbox_alice', message: text(ctx) })),
  delete: (ctx) => api('POST /delete (msgId)', apiRequest('POST', '/delete', { msgId: ctx.deleteMsgId })),
  media: () =>
    api(
      'POST /media/news (1 article)',
      apiRequest('POST', '/media/news', {
        articles: [{ thumbMediaId: DEMO_MEDIA.service.thumb, title: 'Bench', content: '<p>Bench</p>' }],
      }),
    ),
  callback: (ctx) => {
    const push = signedEncryptedPush(
      massSendJobFinishXml(String(ctx.runNumber), ACCOUNT.ghId, Math.floor(Date.now() / 1000)),
      ACCOUNT.appid,
      Date.now(),
      `n${ctx.runNumber}`,
    );
    return {
      describe: 'POST /callback (signed, encrypted MASSSENDJOBFINISH)',
      event: apiGatewayEvent({
        method: 'POST',
        path: '/callback',
        query: push.query,
        headers: { 'content-type': 'text/xml' },
        body: push.body,
      }),
      expect: 'api',
    };
  },
  jobs: (ctx) =>
    api(
      'POST /jobs (create a job, no WeChat call)',
      apiRequest('POST', '/jobs', { message: text(ctx), clientMsgId: `bench-${ctx.runKey}` }),
    ),
  // A fresh container's store holds no due job on memory:, and the bench's Redis none either: the
  // run reads the job index, finds nothing due and stops; sending is the jobs figure's business.
  dispatcher: () => ({
    describe: 'timer event, no job due',
    event: { Type: 'Timer', TriggerName: 'dispatcher', Time: new Date().toISOString(), Message: '' },
    expect: 'dispatch',
  }),
  'refresh-token': () => ({
    describe: 'timer event',
    event: { Type: 'Timer', TriggerName: 'refresh-token', Time: new Date().toISOString(), Message: '' },
    expect: 'timer',
  }),
};
