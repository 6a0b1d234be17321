import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const OPENSSL_INSTALL_HINT = 'apt-get install -y openssl';

// node:crypto makes keys but not X.509 certificates; the openssl CLI does both.
export const hasOpenssl = spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0;

if (!hasOpenssl && process.env.CI === 'true') {
  throw new Error(`openssl is required under CI=true; install it with: ${OPENSSL_INSTALL_HINT}`);
}

export function tlsSuiteTitle(title: string): string {
  return hasOpenssl ? title : `${title} [skipped: openssl not found; install with: ${OPENSSL_INSTALL_HINT}]`;
}

export interface TestCa {
  /** The CA certificate (PEM) a client must be given to trust the server. */
  ca: string;
  /** The server's key and certificate (signed by the CA, for 127.0.0.1 and localhost). */
  key: string;
  cert: string;
}

/** A throwaway CA and a server certificate it signed, made fresh for one test run. */
export function createTestCa(): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'test-ca-'));
  const openssl = (...args: string[]) => {
    const run = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`openssl ${args[0]} failed: ${run.stderr}`);
  };
  try {
    writeFileSync(
      join(dir, 'leaf.ext'),
      'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n',
    );
    openssl(
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=wechat-mass-send test CA',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
    );
    openssl(
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-subj',
      '/CN=127.0.0.1',
      '-keyout',
      'server.key',
      '-out',
      'server.csr',
    );
    openssl(
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      'leaf.ext',
      '-out',
      'server.pem',
    );
    const read = (name: string) => readFileSync(join(dir, name), 'utf8');
    return { ca: read('ca.pem'), key: read('server.key'), cert: read('server.pem') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
