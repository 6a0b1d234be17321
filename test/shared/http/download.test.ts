import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { download, DownloadError, isBlockedAddress, type ResolvedAddress } from '../../../shared/http/download';
import { startHttpsSource, type HttpsSource } from '../../support/https-source';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);
// A public address (TEST-NET is refused, so this is an ordinary unicast one); the agent dials
// loopback instead, so nothing is ever sent to it.
const PUBLIC = { address: '93.184.216.34', family: 4 } as const;
let source: HttpsSource;

beforeAll(async () => {
  source = await startHttpsSource({
    '/photo.png': (res) => {
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': PNG.length });
      res.end(PNG);
    },
    '/declared-big': (res) => {
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': 5000 });
      res.end(Buffer.alloc(5000));
    },
    '/streamed-big': (res) => {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.write(Buffer.alloc(600));
      res.end(Buffer.alloc(600));
    },
    '/stalls': (res) => {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.write(PNG.subarray(0, 4));
    },
    '/cut-short': (res) => {
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': 1000 });
      res.write(PNG, () => res.socket?.destroy());
    },
    '/cut-short-chunked': (res) => {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.write(PNG, () => res.socket?.destroy());
    },
    '/moved': (res) => {
      res.writeHead(302, { location: 'https://169.254.169.254/latest/meta-data/' });
      res.end();
    },
  });
});
afterAll(() => source.close());

const options = (resolved: ResolvedAddress[] = [PUBLIC]) => ({
  maxBytes: 1000,
  timeoutMs: 500,
  resolve: async () => resolved,
  agent: source.agent,
});

async function refusal(promise: Promise<unknown>): Promise<DownloadError> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(DownloadError);
  return error as DownloadError;
}

describe('download', () => {
  it('downloads over https from the address it checked, with the type and name the source gave', async () => {
    const file = await download(source.url('/photo.png'), options());
    expect(file).toEqual({ data: PNG, contentType: 'image/png', filename: 'photo.png' });
    expect(source.dialled.at(-1)).toBe(PUBLIC.address);
  });

  it('refuses http: and other schemes without a request', async () => {
    const before = source.requests.length;
    expect((await refusal(download('http://files.example.test/photo.png', options()))).reason).toBe('scheme');
    expect((await refusal(download('file:///etc/passwd', options()))).reason).toBe('scheme');
    expect(source.requests.length).toBe(before);
  });

  it('refuses a URL with credentials', async () => {
    expect((await refusal(download('https://u:p@files.example.test/photo.png', options()))).reason).toBe('credentials');
  });

  it.each([
    ['loopback', '127.0.0.1', 4],
    ['a private range', '10.1.2.3', 4],
    ['another private range', '172.20.0.5', 4],
    ['a home network', '192.168.1.10', 4],
    ['the metadata service (link-local)', '169.254.0.23', 4],
    ['carrier-grade NAT', '100.100.100.200', 4],
    ['IPv6 loopback', '::1', 6],
    ['IPv6 link-local', 'fe80::1', 6],
    ['IPv6 unique local', 'fd00:ec2::254', 6],
    ['IPv4-mapped IPv6 loopback', '::ffff:127.0.0.1', 6],
    ['the unspecified address', '0.0.0.0', 4],
  ] as const)('refuses a host that resolves to %s (%s) before connecting', async (_name, address, family) => {
    const dialled = source.dialled.length;
    const error = await refusal(download(source.url('/photo.png'), options([{ address, family }])));
    expect(error.reason).toBe('blocked_address');
    expect(error.message).toContain(address);
    expect(source.dialled.length).toBe(dialled);
  });

  it('refuses a host whose answers mix a public and a private address', async () => {
    const mixed = [PUBLIC, { address: '10.0.0.7', family: 4 } as const];
    expect((await refusal(download(source.url('/photo.png'), options(mixed)))).reason).toBe('blocked_address');
  });

  it('refuses an IP literal in a blocked range without resolving', async () => {
    let resolved = false;
    const error = await refusal(
      download('https://169.254.169.254/latest/meta-data/', {
        ...options(),
        resolve: async () => {
          resolved = true;
          return [PUBLIC];
        },
      }),
    );
    expect(error.reason).toBe('blocked_address');
    expect(resolved).toBe(false);
  });

  it('refuses a host that does not resolve', async () => {
    const error = await refusal(
      download(source.url('/photo.png'), {
        ...options(),
        resolve: async () => {
          throw new Error('ENOTFOUND');
        },
      }),
    );
    expect(error.reason).toBe('unresolvable');
  });

  it('refuses a file whose declared length is over the cap, and one that streams past it', async () => {
    expect((await refusal(download(source.url('/declared-big'), options()))).reason).toBe('too_large');
    expect((await refusal(download(source.url('/streamed-big'), options()))).reason).toBe('too_large');
  });

  it('gives up on a source that stalls, at the deadline', async () => {
    const started = Date.now();
    expect((await refusal(download(source.url('/stalls'), options()))).reason).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('refuses a file whose connection closed before its end, at once, not at the deadline', async () => {
    for (const path of ['/cut-short', '/cut-short-chunked']) {
      const error = await refusal(download(source.url(path), { ...options(), timeoutMs: 60_000 }));
      expect([path, error.reason]).toEqual([path, 'network']);
    }
  });

  it('does not follow a redirect, which could point inside the network', async () => {
    expect((await refusal(download(source.url('/moved'), options()))).reason).toBe('redirect');
  });

  it('refuses an answer other than 200', async () => {
    expect((await refusal(download(source.url('/missing'), options()))).reason).toBe('http_status');
  });

  it('refuses a certificate it does not trust', async () => {
    const error = await refusal(download(source.url('/photo.png'), { ...options(), agent: source.untrustingAgent }));
    expect(error.reason).toBe('network');
    expect(error.message).toMatch(/certificate/);
  });
});

describe('isBlockedAddress', () => {
  it('lets ordinary public addresses through', () => {
    expect(isBlockedAddress('93.184.216.34')).toBe(false);
    expect(isBlockedAddress('2606:2800:220:1:248:1893:25c8:1946')).toBe(false);
  });

  it('treats anything that is not an address as blocked', () => {
    expect(isBlockedAddress('localhost')).toBe(true);
  });
});
