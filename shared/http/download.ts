import { lookup } from 'node:dns/promises';
import { request, type Agent } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { DownloadError } from './download-error';

/**
 * Fetches a caller's `sourceUrl` for an upload without letting it reach inside our network
 * (SSRF). The host is resolved once; if any of its addresses is private, loopback,
 * link-local (which holds the cloud metadata service: Tencent Cloud's metadata.tencentyun.com
 * is 169.254.0.23), shared, reserved or multicast, the URL is refused; otherwise the
 * connection goes to the address that was checked, so a second DNS answer cannot swap in an
 * internal one (DNS rebinding). Only https, no credentials in the URL, no redirects (one could
 * point anywhere), a size cap and one deadline for the whole download.
 */
export { DownloadError, type DownloadRefusal } from './download-error';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export interface DownloadOptions {
  maxBytes: number;
  timeoutMs: number;
  /** Every address of a host (default: the system resolver). Tests inject their own. */
  resolve?: (hostname: string) => Promise<ResolvedAddress[]>;
  /** An https Agent (tests pass one that trusts their own CA and dials their local server). */
  agent?: Agent;
}

export interface Downloaded {
  data: Buffer;
  contentType?: string;
  /** The last path segment of the URL, for naming the upload. */
  filename?: string;
}

const BLOCKED = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this" network
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT (also some clouds' metadata, e.g. 100.100.100.200)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local: cloud metadata services
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  BLOCKED.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['64:ff9b::', 96], // NAT64: would reach IPv4 through a translator
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard
  ['2001::', 23], // IETF protocol assignments (Teredo, benchmarking, ORCHID)
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4: embeds an IPv4 address
  ['fc00::', 7], // unique local (private)
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const) {
  BLOCKED.addSubnet(network, prefix, 'ipv6');
}

/** Whether an address is one a download must never reach. */
export function isBlockedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  if (family === 6) {
    // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible forms are checked as the IPv4 inside.
    const mapped = /^::(?:ffff:(?:0:)?)?(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
    if (mapped) return isBlockedAddress(mapped);
    return BLOCKED.check(address, 'ipv6');
  }
  return BLOCKED.check(address, 'ipv4');
}

async function systemResolve(hostname: string): Promise<ResolvedAddress[]> {
  const answers = await lookup(hostname, { all: true, verbatim: true });
  return answers.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
}

async function vetHost(url: URL, resolve: DownloadOptions['resolve']): Promise<ResolvedAddress> {
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: ResolvedAddress[];
  if (isIP(hostname)) {
    addresses = [{ address: hostname, family: isIP(hostname) === 6 ? 6 : 4 }];
  } else {
    try {
      addresses = await (resolve ?? systemResolve)(hostname);
    } catch (err) {
      throw new DownloadError('unresolvable', `the host ${hostname} could not be resolved`, { cause: err });
    }
    if (addresses.length === 0) throw new DownloadError('unresolvable', `the host ${hostname} has no address`);
  }
  // Refuse if any address is internal: a host that mixes public and private answers is a trap.
  const blocked = addresses.find((a) => isBlockedAddress(a.address));
  if (blocked) {
    throw new DownloadError(
      'blocked_address',
      `the host ${hostname} resolves to ${blocked.address}, a private, loopback, link-local or reserved address`,
    );
  }
  return addresses[0]!;
}

function parseSourceUrl(sourceUrl: string): URL {
  let url: URL;
  try {
    url = new URL(sourceUrl);
  } catch {
    throw new DownloadError('invalid_url', 'is not a URL');
  }
  if (url.protocol !== 'https:') throw new DownloadError('scheme', `must be an https URL, not ${url.protocol}`);
  if (url.username || url.password) throw new DownloadError('credentials', 'must not carry a user name or password');
  return url;
}

export async function download(sourceUrl: string, options: DownloadOptions): Promise<Downloaded> {
  const url = parseSourceUrl(sourceUrl);
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const pinned = await vetHost(url, options.resolve);
  if (deadline.aborted) throw new DownloadError('timeout', `no answer within ${options.timeoutMs} ms`);
  // The connection uses the address just checked, never a second lookup.
  const pinnedLookup: LookupFunction = (_hostname, lookupOptions, callback) => {
    if ((lookupOptions as { all?: boolean }).all) {
      (callback as unknown as (err: null, all: ResolvedAddress[]) => void)(null, [pinned]);
    } else callback(null, pinned.address, pinned.family);
  };

  return new Promise<Downloaded>((resolvePromise, reject) => {
    const fail = (error: DownloadError) => {
      req.destroy();
      reject(error);
    };
    const req = request(
      url,
      {
        method: 'GET',
        lookup: pinnedLookup,
        signal: deadline,
        headers: { accept: '*/*', 'user-agent': 'wechat-mass-send-upload' },
        ...(options.agent ? { agent: options.agent } : {}),
      },
      (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400) {
          res.resume();
          return fail(new DownloadError('redirect', `answered a redirect (HTTP ${status}); give the final URL`));
        }
        if (status !== 200) {
          res.resume();
          return fail(new DownloadError('http_status', `answered HTTP ${status}`));
        }
        const declared = Number(res.headers['content-length']);
        if (Number.isFinite(declared) && declared > options.maxBytes) {
          res.resume();
          return fail(
            new DownloadError('too_large', `holds ${declared} bytes, more than the ${options.maxBytes} allowed`),
          );
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > options.maxBytes) {
            fail(new DownloadError('too_large', `holds more than the ${options.maxBytes} bytes allowed`));
            return;
          }
          chunks.push(chunk);
        });
        let ended = false;
        res.on('end', () => {
          ended = true;
          const last = url.pathname.split('/').pop() ?? '';
          let filename: string | undefined;
          try {
            filename = decodeURIComponent(last) || undefined;
          } catch {
            filename = last || undefined;
          }
          resolvePromise({
            data: Buffer.concat(chunks),
            ...(res.headers['content-type'] ? { contentType: res.headers['content-type'] } : {}),
            ...(filename ? { filename } : {}),
          });
        });
        // A connection the source closes after the headers errors the response alone: without
        // these the request never settles, and the deadline's abort finds it already destroyed.
        const cut = () =>
          fail(
            deadline.aborted
              ? new DownloadError('timeout', `no complete answer within ${options.timeoutMs} ms`)
              : new DownloadError('network', 'could not be downloaded: the source closed the connection mid-file'),
          );
        res.on('error', cut);
        res.on('close', () => {
          if (!ended) cut();
        });
      },
    );
    req.on('error', (err) => {
      if (deadline.aborted) reject(new DownloadError('timeout', `no complete answer within ${options.timeoutMs} ms`));
      else reject(new DownloadError('network', `could not be downloaded: ${err.message}`, { cause: err }));
    });
    req.end();
  });
}
