import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { humanBytes, startGateway, type Gateway } from '../../local/gateway';

// A bundle that answers with the event and context it received, to check the event shape.
const ECHO = `exports.main_handler = async (event, context) => ({
  isBase64Encoded: false,
  statusCode: 200,
  headers: { 'content-type': 'application/json', 'x-pid': String(process.pid) },
  body: JSON.stringify({ event, context, env: process.env.GATEWAY_TEST_VALUE }),
});`;
const CRASH = `exports.main_handler = async () => { throw new TypeError('boom'); };`;
const SLOW = `exports.main_handler = (event) => event.path.endsWith('/quick')
  ? { statusCode: 200, body: String(process.pid) }
  : new Promise((r) => setTimeout(
      () => r({ statusCode: 200, body: String(process.pid) }),
      event.path.endsWith('/late') ? 700 : 60_000,
    ));`;
const ENV = `exports.main_handler = async () => ({
  statusCode: 200,
  body: JSON.stringify(Object.keys(process.env).sort()),
});`;

describe('startGateway', () => {
  let dist: string;
  let gateway: Gateway;
  const lines: string[] = [];
  beforeAll(async () => {
    dist = await mkdtemp(join(tmpdir(), 'gateway-'));
    for (const [name, code] of [
      ['echo', ECHO],
      ['crash', CRASH],
      ['slow', SLOW],
      ['env', ENV],
    ] as const) {
      await mkdir(join(dist, name));
      await writeFile(join(dist, name, 'index.js'), code);
    }
    gateway = await startGateway({
      distDir: dist,
      env: { PATH: process.env.PATH, GATEWAY_TEST_VALUE: 'from-env', UNDECLARED_SECRET: 'not-for-env' },
      functions: {
        slow: { timeoutSeconds: 1, environment: [] },
        env: { timeoutSeconds: 3, environment: ['GATEWAY_TEST_VALUE'] },
      },
      log: (l) => lines.push(l),
    });
  });
  afterAll(async () => {
    await gateway.close();
    await rm(dist, { recursive: true, force: true });
  });

  it(
    'refuses a binary body whose base64 event would pass the 6 MB SCF takes, ' + 'though the body is under 6 MB',
    async () => {
      const body = Buffer.alloc(5 * 1024 * 1024, 0xab);
      const res = await fetch(`${gateway.url}/echo/upload`, {
        method: 'POST',
        headers: { 'content-type': 'image/png' },
        body,
      });
      expect(res.status).toBe(413);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('too_large');
      const fits = await fetch(`${gateway.url}/echo/upload`, {
        method: 'POST',
        headers: { 'content-type': 'image/png' },
        body: Buffer.alloc(4 * 1024 * 1024, 0xab),
      });
      expect(fits.status).toBe(200);
    },
  );

  it('turns an HTTP request into an SCF API Gateway event and the integrated response back', async () => {
    const res = await fetch(`${gateway.url}/echo/sub?msgId=12&tag=a&tag=b&flag`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-Custom': 'yes' },
      body: '{"a":1}',
    });
    expect(res.status).toBe(200);
    const { event, context, env } = (await res.json()) as {
      event: Record<string, unknown>;
      context: Record<string, unknown>;
      env: string;
    };
    expect(event).toMatchObject({
      httpMethod: 'POST',
      path: '/echo/sub',
      queryString: { msgId: '12', tag: ['a', 'b'], flag: true },
      body: '{"a":1}',
      isBase64Encoded: false,
      requestContext: { httpMethod: 'POST', path: '/echo', stage: 'release' },
    });
    expect((event.headers as Record<string, string>)['x-custom']).toBe('yes');
    expect(context.request_id).toBe((event.requestContext as Record<string, string>).requestId);
    expect(env).toBe('from-env');
  });

  it('base64-encodes a binary body as API Gateway does', async () => {
    const res = await fetch(`${gateway.url}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'image/png' },
      body: new Uint8Array([0x89, 0x50, 0, 255]),
    });
    const { event } = (await res.json()) as { event: { body: string; isBase64Encoded: boolean } };
    expect(event.isBase64Encoded).toBe(true);
    expect([...Buffer.from(event.body, 'base64')]).toEqual([0x89, 0x50, 0, 255]);
  });

  it('keeps a function warm in its own process after the cold start', async () => {
    const first = await fetch(`${gateway.url}/echo`);
    const second = await fetch(`${gateway.url}/echo`);
    expect(first.headers.get('x-pid')).toBe(second.headers.get('x-pid'));
    expect(first.headers.get('x-pid')).not.toBe(String(process.pid));
  });

  it('answers 502 when the function throws, 404 for an unknown function, and logs one line per request', async () => {
    expect((await fetch(`${gateway.url}/crash`)).status).toBe(502);
    const missing = await fetch(`${gateway.url}/nothing-here`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { functions: string[] } }).error.functions.sort()).toEqual([
      'crash',
      'echo',
      'env',
      'slow',
    ]);
    expect(lines.some((l) => /^GET \/crash → crash 502/.test(l))).toBe(true);
  });

  it('stops an invocation at the function timeout from serverless.yml and answers 504', async () => {
    const started = Date.now();
    const res = await fetch(`${gateway.url}/slow`);
    expect(res.status).toBe(504);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('function_timeout');
    expect(Date.now() - started).toBeLessThan(2_500);
  });

  it('lets invocations running beside a timed-out one finish, then starts a new process', async () => {
    const [timedOut, late] = await Promise.all([
      fetch(`${gateway.url}/slow`),
      new Promise((r) => setTimeout(r, 500)).then(() => fetch(`${gateway.url}/slow/late`)),
    ]);
    expect(timedOut.status).toBe(504);
    expect(late.status).toBe(200);
    const oldPid = await late.text();
    const next = await fetch(`${gateway.url}/slow/quick`);
    expect(next.status).toBe(200);
    expect(await next.text()).not.toBe(oldPid);
  });

  it('gives a declared function only the variables serverless.yml lists for it', async () => {
    const keys = (await (await fetch(`${gateway.url}/env`)).json()) as string[];
    expect(keys).toContain('GATEWAY_TEST_VALUE');
    expect(keys).not.toContain('UNDECLARED_SECRET');
  });

  it('fires a timer trigger with an SCF timer event', async () => {
    const result = (await gateway.fire({
      function: 'echo',
      name: 'tick',
      cron: '* * * * * * *',
      enable: true,
      argument: 'arg',
    })) as {
      body: string;
    };
    expect(JSON.parse(result.body).event).toMatchObject({ Type: 'Timer', TriggerName: 'tick', Message: 'arg' });
  });
});

describe('maskCredentials', () => {
  it('hides the user and password of a store URL and leaves others alone', async () => {
    const { maskCredentials } = await import('../../local/start');
    expect(maskCredentials('redis://:s3cret@10.0.0.5:6379/0')).toBe('redis://***@10.0.0.5:6379/0');
    expect(maskCredentials('redis://user:pw@host')).toBe('redis://***@host');
    expect(maskCredentials('file:/work/.local/store')).toBe('file:/work/.local/store');
  });
});

describe('startGateway with the routes of api-gateway/serverless.yml', () => {
  let dist: string;
  beforeAll(async () => {
    dist = await mkdtemp(join(tmpdir(), 'gateway-routes-'));
    await mkdir(join(dist, 'echo'));
    await writeFile(join(dist, 'echo', 'index.js'), ECHO);
  });
  afterAll(async () => {
    await rm(dist, { recursive: true, force: true });
  });
  const route = (path: string, method: string, integratedResponse = true) => ({
    path,
    method,
    functionName: 'wechat-mass-send-local-echo',
    function: 'echo',
    integratedResponse,
    serviceTimeout: 5,
    base64Encoded: path.startsWith('/upload'),
  });

  it('answers only the declared method and path, 404 for the rest as API Gateway does', async () => {
    const gateway = await startGateway({
      distDir: dist,
      env: { PATH: process.env.PATH },
      routes: [route('/things', 'POST')],
      log: () => {},
    });
    try {
      const ok = await fetch(`${gateway.url}/things`, { method: 'POST', body: '{}' });
      expect(ok.status).toBe(200);
      const { event } = (await ok.json()) as { event: { requestContext: { path: string } } };
      expect(event.requestContext.path).toBe('/things');
      expect((await fetch(`${gateway.url}/things`)).status).toBe(404);
      expect((await fetch(`${gateway.url}/echo`, { method: 'POST', body: '{}' })).status).toBe(404);
      expect((await fetch(`${gateway.url}/things/more`, { method: 'POST', body: '{}' })).status).toBe(404);
    } finally {
      await gateway.close();
    }
  });

  // API Gateway encodes per route (isBase64Encoded), not by the body's Content-Type: a raw
  // upload without a Content-Type still arrives as its exact bytes on an upload route.
  it("encodes a body as its route says, whatever the body's Content-Type", async () => {
    const gateway = await startGateway({
      distDir: dist,
      env: { PATH: process.env.PATH },
      routes: [route('/upload', 'POST'), route('/things', 'POST')],
      log: () => {},
    });
    const echoed = async (path: string, body: Uint8Array | string, headers: Record<string, string> = {}) => {
      const res = await fetch(`${gateway.url}${path}`, { method: 'POST', body, headers });
      return ((await res.json()) as { event: { body: string; isBase64Encoded: boolean } }).event;
    };
    try {
      const raw = await echoed('/upload', new Uint8Array([0x89, 0x50, 0, 255]));
      expect(raw.isBase64Encoded).toBe(true);
      expect([...Buffer.from(raw.body, 'base64')]).toEqual([0x89, 0x50, 0, 255]);
      const json = await echoed('/upload', '{"a":1}', { 'content-type': 'application/json' });
      expect(json).toMatchObject({ isBase64Encoded: true, body: Buffer.from('{"a":1}').toString('base64') });
      const text = await echoed('/things', '{"a":1}', { 'content-type': 'image/png' });
      expect(text).toMatchObject({ isBase64Encoded: false, body: '{"a":1}' });
    } finally {
      await gateway.close();
    }
  });

  it('refuses to start with a route whose integrated response is off', async () => {
    await expect(
      startGateway({ distDir: dist, env: {}, routes: [route('/things', 'POST', false)], log: () => {} }),
    ).rejects.toThrow('integrated response is off for POST /things');
  });
});

describe('humanBytes', () => {
  it('writes sizes as people do', () => {
    expect(humanBytes(6 * 1024 * 1024)).toBe('6 MB');
    expect(humanBytes(4.5 * 1024 * 1024)).toBe('4.5 MB');
    expect(humanBytes(64 * 1024)).toBe('64 KB');
    expect(humanBytes(900)).toBe('900 bytes');
  });
});
