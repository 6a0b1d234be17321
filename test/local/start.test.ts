import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startLocal } from '../../local/start';
import { distDir } from '../support/dist';

const checkout = resolve(import.meta.dirname, '../..');

describe('npm start (startLocal)', () => {
  const roots: string[] = [];
  afterEach(() => {
    for (const dir of roots.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  /** A checkout whose deployment files differ from the real ones by one edit. */
  function checkoutWith(file: string, from: string, to: string): string {
    const root = mkdtempSync(join(tmpdir(), 'start-'));
    roots.push(root);
    cpSync(join(checkout, 'serverless.yml'), join(root, 'serverless.yml'));
    cpSync(join(checkout, 'api-gateway'), join(root, 'api-gateway'), { recursive: true });
    symlinkSync(distDir(), join(root, 'dist'));
    symlinkSync(join(checkout, 'functions'), join(root, 'functions'));
    const text = readFileSync(join(root, file), 'utf8');
    expect(text.includes(from), 'the edit applies').toBe(true);
    writeFileSync(join(root, file), text.replace(from, to));
    return root;
  }

  it('refuses to start when a route would be deployed with integrated response off', async () => {
    const root = checkoutWith(
      'api-gateway/serverless.yml',
      'isIntegratedResponse: true',
      'isIntegratedResponse: false',
    );
    await expect(startLocal({ root, timers: false, log: () => {} })).rejects.toThrow(
      /broken service:\n {2}route POST \/send-by-tag: integrated response is off/,
    );
  });

  it('refuses to start when a handler names a file the build does not produce', async () => {
    const root = checkoutWith(
      'serverless.yml',
      'handler: speed/index.main_handler',
      'handler: speed/main.main_handler',
    );
    await expect(startLocal({ root, timers: false, log: () => {} })).rejects.toThrow(
      'speed: handler file speed/main.js does not exist in dist/',
    );
  });

  it('refuses to start when a route of the route table is not declared for API Gateway', async () => {
    const root = checkoutWith('api-gateway/serverless.yml', '    - path: /delete\n', '    - path: /remove\n');
    await expect(startLocal({ root, timers: false, log: () => {} })).rejects.toThrow(
      'route POST /delete of the route table (delete) is not in api-gateway/serverless.yml',
    );
  });
});
