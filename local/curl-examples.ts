import type { AccountSeed, MediaSeed } from '../sandbox/accounts';

/** A ready `curl` for each function, filled in with the sandbox's demo ids. */
export function curlExamples(base: string, apiKey: string, account: AccountSeed, media: MediaSeed): string {
  const auth = `-H 'Authorization: Bearer ${apiKey}'`;
  const json = `${auth} -H 'Content-Type: application/json'`;
  const [first, second] = account.followers;
  const lines = [
    [
      'send to tag 100 (vip)',
      `curl -s ${json} -d '{"audience":{"tagId":100},"message":{"type":"text","content":"Hello from the sandbox"}}' ${base}/send-by-tag`,
    ],
    [
      'send to all followers',
      `curl -s ${json} -d '{"audience":{"all":true},"message":{"type":"mpnews","mediaId":"${media.news}"}}' ${base}/send-by-tag`,
    ],
    [
      'send to a list',
      `curl -s ${json} -d '{"openIds":["${first}","${second}"],"message":{"type":"text","content":"Hi both"}}' ${base}/send-by-list`,
    ],
    [
      'preview by WeChat ID',
      `curl -s ${json} -d '{"wechatId":"sandbox_alice","message":{"type":"text","content":"Preview"}}' ${base}/preview`,
    ],
    ['status (use the msgId a send returned)', `curl -s ${auth} '${base}/status?msgId=MSG_ID'`],
    ['delete an mpnews send', `curl -s ${json} -d '{"msgId":"MSG_ID"}' ${base}/delete`],
    ['get the speed', `curl -s ${auth} ${base}/speed`],
    ['set the speed', `curl -s -X PUT ${json} -d '{"speed":2}' ${base}/speed`],
    [
      'upload articles',
      `curl -s ${json} -d '{"articles":[{"thumbMediaId":"${media.thumb}","title":"Hello","content":"<p>Body</p>"}]}' ${base}/media/news`,
    ],
  ];
  return lines.map(([what, cmd]) => `  # ${what}\n  ${cmd}\n`).join('');
}
