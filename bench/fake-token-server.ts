import { spawn } from 'node:child_process';
import { request } from 'node:http';

export interface UpstreamTimeline {
  /** When the first request for the AppID arrived and when it was answered, on performance.now()'s clock. */
  requestedAt?: number;
  answeredAt?: number;
}

export interface FakeTokenServer {
  url: string;
  /** stable_token requests received for the AppID, and when the first arrived and was answered. */
  state(appId: string): Promise<{ requests: number } & UpstreamTimeline>;
  close(): Promise<void>;
}

// Runs in its own node process, as WeChat runs on its own machines: in the bench's process it
// read the lock holder's request only once the event loop had handled 200 containers' replies
// and writes (14-30 ms a round, `requestReadDelayMs`), which no SCF container's refresh waits
// for. Times are epoch milliseconds (timeOrigin + now()), so that the bench's process can place
// them on its own clock.
const SERVER = `const http=require('node:http');const delayMs=Number(process.argv[1]);
const at=()=>performance.timeOrigin+performance.now();const seen=new Map();
const server=http.createServer((req,res)=>{const chunks=[];req.on('data',(c)=>chunks.push(c));req.on('end',()=>{
if(req.method==='GET'&&req.url.startsWith('/bench/state?appid=')){
const appid=decodeURIComponent(req.url.slice('/bench/state?appid='.length));
res.writeHead(200,{'content-type':'application/json'});res.end(JSON.stringify(seen.get(appid)??{requests:0}));return}
if(req.method!=='POST'||req.url!=='/cgi-bin/stable_token'){res.writeHead(404).end();return}
const{appid=''}=JSON.parse(Buffer.concat(chunks).toString('utf8')||'{}');
const state=seen.get(appid)??{requests:0};state.requests+=1;state.requestedAt??=at();seen.set(appid,state);
setTimeout(()=>{state.answeredAt??=at();res.writeHead(200,{'content-type':'application/json'});
res.end(JSON.stringify({access_token:'bench-token-for-'+appid,expires_in:7200}))},delayMs)})});
server.listen(0,'127.0.0.1',()=>process.stdout.write('port '+server.address().port+'\\n'));`;

function getJson(url: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

/**
 * Answers `POST /cgi-bin/stable_token` after `delayMs` (WeChat's own latency, roughly) with
 * one token per AppID, and counts the requests, from a child process. Anything else is a 404.
 */
export async function startFakeTokenServer(delayMs: number): Promise<FakeTokenServer> {
  const child = spawn(process.execPath, ['-e', SERVER, String(delayMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const match = /^port (\d+)\n/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`fake token server exited (${code}) before listening`)));
  });
  const url = `http://127.0.0.1:${port}`;
  const local = (epochMs: number | undefined) => (epochMs === undefined ? undefined : epochMs - performance.timeOrigin);
  return {
    url,
    async state(appId) {
      const s = (await getJson(`${url}/bench/state?appid=${encodeURIComponent(appId)}`)) as {
        requests: number;
        requestedAt?: number;
        answeredAt?: number;
      };
      return { requests: s.requests, requestedAt: local(s.requestedAt), answeredAt: local(s.answeredAt) };
    },
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill();
      await exited;
    },
  };
}
