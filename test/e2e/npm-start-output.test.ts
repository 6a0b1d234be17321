import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createServer, type Server } from 'node:http';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { curlExamples, inspectionRoutes, pasteSetup } from '../../local/curl-examples';
import { startLocal } from '../../local/start';
import { ROUTE_LIST } from '../../sandbox/control-routes';
import { DEMO_ACCOUNTS, DEMO_MEDIA } from '../../sandbox/server';
import { distDir } from '../support/dist';
import { startLocalProduct, type LocalProduct } from './support/local-product';

const run = promisify(execFile);
const JOB_MS = 200;
const MARK = '@@@ next example @@@';

describe('what npm start prints, pasted into a shell as printed', () => {
  let product: LocalProduct;
  beforeAll(async () => {
    product = await startLocalProduct({ account: 'service', callbackMode: 'safe', jobDurationMs: JOB_MS });
  });
  afterAll(async () => {
    await product?.close();
  });

  it('runs every curl with the sandbox ids filled in, and each route answers 2xx', async () => {
    const examples = curlExamples(DEMO_ACCOUNTS.service, DEMO_MEDIA.service, JOB_MS);
    const script = [
      ...pasteSetup(product.local.gateway.url, product.local.apiKey),
      // Each answer ends with its HTTP status, so the test sees it.
      `curl() { command curl -w ' HTTP=%{http_code}' "$@"; }`,
      ...examples.flatMap(({ command }) => [`echo '${MARK}'`, command]),
    ].join('\n');

    const { stdout } = await run('bash', ['-c', script], { timeout: 60_000 });
    const outputs = stdout.split(`${MARK}\n`).slice(1);

    expect(outputs).toHaveLength(examples.length);
    for (const [i, output] of outputs.entries()) {
      const what = examples[i]?.what;
      // The msgId capture strips the answer down to the id; every other answer is shown whole.
      if (what?.includes('keep its msgId')) {
        expect(output, what).toMatch(/^msgId=\d+\n$/);
        continue;
      }
      if (what?.includes('keep its mediaId')) {
        expect(output, what).toMatch(/^draftId=[\w-]+\n$/);
        continue;
      }
      expect(output, what).toMatch(/ HTTP=2\d\d$/);
      expect(output, what).not.toContain('{"error":{');
    }
    const deleted = outputs.find((_, i) => examples[i]?.what.startsWith('delete'));
    expect(deleted).toContain('{"deleted":true}');
    expect(product.local.sandbox.state().uploadedImages).toHaveLength(1);
  });

  it("runs the README's two-line fault-injection example with the answer it promises", async () => {
    const readme = readFileSync(resolve(import.meta.dirname, '../../README.md'), 'utf8');
    const lines = readme.split('\n');
    const at = lines.findIndex((line) => line.includes('/__sandbox/faults') && line.startsWith('curl'));
    const [inject, send] = [lines[at]!, lines[at + 1]!];
    const promised = /# → (\d{3}) (\w+)/.exec(send)!;
    const script = [
      ...pasteSetup(product.local.gateway.url, product.local.apiKey),
      `curl -s -H "$A" $B/speed > /dev/null`,
      inject.replace('http://127.0.0.1:3001', product.local.sandbox.url),
      `echo '${MARK}'`,
      `${send.replace(/#.*$/, '')} -w ' HTTP=%{http_code}'`,
    ].join('\n');

    const { stdout } = await run('bash', ['-c', script], { timeout: 30_000 });

    const answer = stdout.split(`${MARK}\n`)[1] ?? '';
    expect(answer).toContain(`"code":"${promised[2]}"`);
    expect(answer).toMatch(new RegExp(`HTTP=${promised[1]}$`));
  });

  it('lists every sandbox inspection route, and each answers', async () => {
    const lines = inspectionRoutes(product.local.sandbox.url, DEMO_ACCOUNTS.service.appid);
    expect(lines).toHaveLength(1 + ROUTE_LIST.filter((route) => route.startsWith('GET ')).length);
    for (const line of lines) {
      const url = line.split(' ')[0]!;
      const res = await fetch(url);
      expect(res.status, url).toBe(200);
    }
  });

  it('names the variable to change when a port is already in use', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      await expect(startLocal({ port, log: () => {}, timers: false, distDir: distDir() })).rejects.toThrow(
        new RegExp(`port ${port} is already in use.*set PORT to a free port`),
      );
      await expect(
        startLocal({ port: 0, sandboxPort: port, log: () => {}, timers: false, distDir: distDir() }),
      ).rejects.toThrow(/set SANDBOX_PORT to a free port/);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
