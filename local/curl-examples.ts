import { resolve } from 'node:path';
import type { AccountSeed, MediaSeed } from '../sandbox/accounts';
import { ROUTE_LIST } from '../sandbox/control-routes';

/** A small PNG shipped with the repository, so the media/image curl works as printed. */
export const SAMPLE_PNG = resolve(import.meta.dirname, 'sample.png');

export interface Example {
  what: string;
  /** One shell line; it reads $KEY, $B, $A and $J from `pasteSetup`. */
  command: string;
}

/** The lines that set what every example reads: paste them first. */
export function pasteSetup(base: string, apiKey: string): string[] {
  return [
    `export KEY='${apiKey.replaceAll("'", `'\\''`)}' B=${base}`,
    `A="Authorization: Bearer $KEY"; J='Content-Type: application/json'`,
  ];
}

/** The sandbox's ready ids, by the name the examples and the README use. */
export function readyIds(account: AccountSeed, media: MediaSeed): Array<[string, string]> {
  return [
    ['image', media.image],
    ['thumb', media.thumb],
    ['voice', media.voice],
    ['video', media.video],
    ['mpvideo', media.mpvideo],
    ['news', media.news],
    ['card', account.cardIds[0] ?? ''],
  ];
}

/**
 * A ready `curl` for each route, filled in with the sandbox's demo ids, in an order that works
 * when pasted whole: the send whose msgId status and delete use comes first, and delete waits
 * until the sandbox has finished that send (only a finished mpnews or mpvideo send can be deleted).
 */
export function curlExamples(account: AccountSeed, media: MediaSeed, jobDurationMs: number): Example[] {
  const [first, second] = account.followers;
  const post = (body: unknown, route: string) => `curl -s -H "$A" -H "$J" -d '${JSON.stringify(body)}' $B${route}`;
  const text = (content: string) => ({ type: 'text', content });
  const waitSeconds = Math.ceil(jobDurationMs / 1000) + 1;
  const news = { audience: { tagId: 101 }, message: { type: 'mpnews', mediaId: media.news } };
  return [
    {
      what: 'send a text to tag 100 (vip)',
      command: post({ audience: { tagId: 100 }, message: text('Hello') }, '/send-by-tag'),
    },
    {
      what: 'send the ready news (mpnews) to tag 101 and keep its msgId in $MSG_ID',
      command: `MSG_ID=$(${post(news, '/send-by-tag')} | sed -E 's/.*"msgId":"([0-9]+)".*/\\1/'); echo "msgId=$MSG_ID"`,
    },
    {
      what: 'its status (WeChat status and, once pushed, the report)',
      command: `curl -s -H "$A" "$B/status?msgId=$MSG_ID"`,
    },
    {
      what: `delete it, once the sandbox has finished it (${jobDurationMs / 1000} s)`,
      command: `sleep ${waitSeconds}; curl -s -H "$A" -H "$J" -d "{\\"msgId\\":\\"$MSG_ID\\"}" $B/delete`,
    },
    {
      what: 'send the ready mpvideo to all followers',
      command: post(
        {
          audience: { all: true },
          message: { type: 'mpvideo', mediaId: media.mpvideo },
          clientMsgId: 'video-to-all-1',
        },
        '/send-by-tag',
      ),
    },
    {
      what: 'send a text to a list of two',
      command: post({ openIds: [first, second], message: text('Hi both') }, '/send-by-list'),
    },
    {
      what: 'preview the ready image to a WeChat ID',
      command: post({ wechatId: 'sandbox_alice', message: { type: 'image', mediaId: media.image } }, '/preview'),
    },
    {
      what: 'preview the ready voice to an OpenID',
      command: post({ openId: first, message: { type: 'voice', mediaId: media.voice } }, '/preview'),
    },
    {
      what: 'preview the ready card',
      command: post({ wechatId: 'sandbox_bob', message: { type: 'wxcard', cardId: account.cardIds[0] } }, '/preview'),
    },
    { what: 'get the speed', command: `curl -s -H "$A" $B/speed` },
    { what: 'set the speed', command: `curl -s -X PUT -H "$A" -H "$J" -d '{"speed":2}' $B/speed` },
    {
      what: 'upload articles (with the ready thumb)',
      command: post(
        { articles: [{ thumbMediaId: media.thumb, title: 'Hello', content: '<p>Body</p>' }] },
        '/media/news',
      ),
    },
    {
      what: 'upload an image for article bodies (the sample PNG shipped in local/)',
      command: `curl -s -H "$A" -H 'Content-Type: image/png' --data-binary @${SAMPLE_PNG} $B/media/image`,
    },
    {
      what: 'turn the ready video into one a mass send takes',
      command: post({ mediaId: media.video, title: 'Clip', description: 'A sandbox clip' }, '/media/video'),
    },
    {
      what: 'keep the sample PNG as permanent material, uploaded as a form (curl -F)',
      command: `curl -s -H "$A" -F media=@${SAMPLE_PNG} $B/media/material/image`,
    },
    {
      what: 'list permanent images, and count the material of each type',
      command: `curl -s -H "$A" "$B/media/material?type=image&count=5"; curl -s -H "$A" $B/media/material/count`,
    },
    {
      what: 'create a draft with the ready thumb as its cover and keep its mediaId in $DRAFT_ID',
      command: `DRAFT_ID=$(${post(
        {
          articles: [
            {
              thumbMediaId: media.thumb,
              title: 'Hello from a draft',
              content: '<p>Body</p>',
              needOpenComment: true,
              coverCrops: { wide: { x1: 0, y1: 0, x2: 1, y2: 0.425 } },
            },
          ],
        },
        '/media/drafts',
      )} | sed -E 's/.*"mediaId":"([^"]+)".*/\\1/'); echo "draftId=$DRAFT_ID"`,
    },
    {
      what: 'read the draft back, then send it as mpnews to tag 100 (WeChat then removes it from the draft box)',
      command:
        'curl -s -H "$A" "$B/media/draft?mediaId=$DRAFT_ID"; ' +
        'curl -s -H "$A" -H "$J" -d "{\\"audience\\":{\\"tagId\\":100},' +
        '\\"message\\":{\\"type\\":\\"mpnews\\",\\"mediaId\\":\\"$DRAFT_ID\\"}}" $B/send-by-tag',
    },
  ];
}

// What each inspection route shows; a route the sandbox adds later is still listed, bare.
const SHOWS: Record<string, string> = {
  '': 'every route, including the POST ones that steer it (faults, clock, confirmations)',
  '/state': 'accounts, media, limits, callback',
  '/calls': 'every WeChat API call it answered',
  '/messages': 'every send, with its audience, content and status',
  '/pushes': 'every MASSSENDJOBFINISH push and its outcome',
  '/bulk': "the account's large sends, in batches",
  '/faults': 'the injected faults still pending',
  '/callback': 'where pushes go',
  '/confirmations': 'sends to all waiting for an administrator (mass-send protection)',
};

/** Every GET route of the sandbox (its own route list), each a full URL for `appid`. */
export function inspectionRoutes(sandboxUrl: string, appid: string): string[] {
  const gets = ['GET /__sandbox', ...ROUTE_LIST.filter((route) => route.startsWith('GET /__sandbox/'))];
  return gets.map((route) => {
    const path = route.slice('GET /__sandbox'.length).split(' ')[0] ?? '';
    const url = `${sandboxUrl}/__sandbox${path.replace(/=$/, `=${appid}`)}`;
    return `${url.padEnd(48)} ${SHOWS[path.split('?')[0] ?? ''] ?? ''}`.trimEnd();
  });
}

/** What `npm start` prints after "Try it". */
export function pasteBlock(
  base: string,
  apiKey: string,
  account: AccountSeed,
  media: MediaSeed,
  jobDurationMs: number,
): string {
  const ids = readyIds(account, media)
    .map(([name, id]) => `    ${name.padEnd(8)} ${id}`)
    .join('\n');
  const examples = curlExamples(account, media, jobDurationMs)
    .map(({ what, command }) => `  # ${what}\n  ${command}\n`)
    .join('');
  return `The sandbox's ready ids (used below):
${ids}

Paste these two lines first; every curl below reads them:
  ${pasteSetup(base, apiKey).join('\n  ')}

${examples}`;
}
