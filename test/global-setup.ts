import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildDist } from '../scripts/build';

/**
 * Builds every bundle and openapi.json once, before any suite, into a directory of this run's
 * own: every suite (end-to-end, reliability, bundle checks) runs the same fresh build, none
 * builds on its own or races another, and a developer's dist/ is neither read nor replaced.
 * Suites find it with distDir() (test/support/dist.ts).
 */
export default async function setup(project: TestProject) {
  const started = Date.now();
  const dir = await mkdtemp(join(tmpdir(), 'wechat-mass-send-dist-'));
  const sizes = await buildDist(dir);
  project.provide('distDir', dir);
  project.provide('bundleSizes', sizes);
  console.log(`built ${sizes.length} bundles and openapi.json once for every suite in ${Date.now() - started} ms`);
  return async () => {
    await rm(dir, { recursive: true, force: true });
  };
}
