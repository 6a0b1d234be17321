import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { functionNames } from '../../scripts/build';
import { bundleSizes, distDir } from '../support/dist';

const run = promisify(execFile);

// Loads a bundle the way SCF does, from a folder with no node_modules anywhere above it,
// and invokes it once with an empty environment: it must answer (an API function with 503
// not_configured; a timer function by failing the invocation with a named error), not crash.
const PROBE = `
const bundle = require(process.argv[1]);
if (typeof bundle.main_handler !== 'function') {
  console.log(JSON.stringify({ error: 'no main_handler' }));
  process.exit(0);
}
const event = { httpMethod: 'GET', path: '/', headers: {}, queryString: {}, body: '' };
Promise.resolve(bundle.main_handler(event, { request_id: 'probe-1' }))
  .then((r) => console.log(JSON.stringify({ result: r })), (e) => console.log(JSON.stringify({ threw: String(e) })));
`;

// The build under test is the one test/global-setup.ts made for every suite: buildDist, as
// `npm run build` runs it, into this run's own directory.
describe('npm run build', () => {
  const sizes = bundleSizes();

  it('emits one bundle per function folder', () => {
    expect(sizes.map((s) => s.name)).toEqual(functionNames());
    expect(functionNames().length).toBeGreaterThan(0);
  });

  it('keeps every bundle small enough to start fast (under 200 KB: ioredis and the SDKs are vendor files)', () => {
    for (const { name, bytes } of sizes) expect(bytes, name).toBeLessThan(200_000);
  });

  it.each(functionNames())('%s loads in a bare node with no node_modules and exports main_handler', async (name) => {
    const dir = await mkdtemp(join(tmpdir(), `bundle-${name}-`));
    try {
      await copyFile(join(distDir(), name, 'index.js'), join(dir, 'index.js'));
      const { stdout } = await run(process.execPath, ['-e', PROBE, join(dir, 'index.js')], {
        cwd: dir,
        env: { PATH: process.env.PATH, NODE_PATH: '' },
      });
      const outcome = JSON.parse(stdout.trim().split('\n').pop()!);
      expect(outcome.error).toBeUndefined();
      // Timer functions fail the invocation, naming the configuration problem.
      if ('threw' in outcome) expect(outcome.threw).toMatch(/^(RefreshFailedError: .*)?ConfigError/);
      else expect(outcome.result).toMatchObject({ statusCode: 503 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
