import { createHash, createHmac } from 'node:crypto';
import { Agent, createServer, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';

/**
 * A local stand-in for Tencent Cloud Secrets Manager's API (ssm.tencentcloudapi.com, version
 * 2019-09-23), written from Tencent Cloud's API signing document, not from the SDK: it checks
 * every TC3-HMAC-SHA256 header (Authorization's credential scope, signed headers and
 * signature, X-TC-Action/Version/Timestamp/Region/Token) against the keys it was given, records
 * each call, and answers GetSecretValue from its own table, in the API's error shape otherwise.
 */

export interface SsmCall {
  action: string;
  region: string;
  secretId: string;
  service: string;
  token?: string;
  body: Record<string, unknown>;
  /** Why the request was refused, when it was. */
  refused?: string;
}

export interface FakeSsm {
  url: string;
  port: number;
  calls: SsmCall[];
  /** secret name → version → SecretString. */
  secrets: Map<string, Map<string, string>>;
  setSecret(name: string, value: unknown, version?: string): void;
  /** Connects every request to this fake whatever its host, as if DNS pointed there. */
  agent: Agent;
  close(): Promise<void>;
}

const hmac = (key: Buffer | string, text: string) => createHmac('sha256', key).update(text).digest();
const sha256 = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Returns why the request is not validly signed with `keys`, or undefined. */
function verifyTc3(req: IncomingMessage, body: Buffer, keys: Map<string, string>, nowSeconds: number) {
  const auth = req.headers.authorization ?? '';
  const match = new RegExp(
    /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/([^/]+)\/tc3_request, /.source +
      /SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.source,
  ).exec(auth);
  if (!match) return 'AuthFailure.SignatureFailure: malformed Authorization';
  const [, secretId, date, service, signedHeaders, signature] = match as unknown as string[];
  const secretKey = keys.get(secretId!);
  if (!secretKey) return 'AuthFailure.SecretIdNotFound';
  const timestamp = Number(req.headers['x-tc-timestamp']);
  if (!Number.isInteger(timestamp)) return 'MissingParameter: X-TC-Timestamp';
  if (Math.abs(nowSeconds - timestamp) > 300) return 'AuthFailure.SignatureExpire';
  if (new Date(timestamp * 1000).toISOString().slice(0, 10) !== date) return 'AuthFailure.SignatureFailure: date';
  for (const header of ['x-tc-action', 'x-tc-version', 'x-tc-region']) {
    if (!req.headers[header]) return `MissingParameter: ${header}`;
  }
  const names = signedHeaders!.split(';');
  if (!names.includes('host') || !names.includes('content-type')) return 'AuthFailure.SignatureFailure: headers';
  const canonicalHeaders = names
    .map(
      (name) =>
        `${name}:${String(name === 'host' ? (req.headers.host ?? '').split(':')[0] : req.headers[name])
          .trim()
          .toLowerCase()}\n`,
    )
    .join('');
  const url = new URL(req.url ?? '/', 'http://fake');
  const canonicalRequest = [
    req.method,
    url.pathname,
    url.search.slice(1),
    canonicalHeaders,
    signedHeaders,
    sha256(body),
  ].join('\n');
  const stringToSign = [
    'TC3-HMAC-SHA256',
    String(timestamp),
    `${date}/${service}/tc3_request`,
    sha256(canonicalRequest),
  ].join('\n');
  const signingKey = hmac(hmac(hmac(`TC3${secretKey}`, date!), service!), 'tc3_request');
  if (hmac(signingKey, stringToSign).toString('hex') !== signature) return 'AuthFailure.SignatureFailure';
  return undefined;
}

/** Starts the fake on a free loopback port; `keys` maps SecretId → SecretKey. */
export async function startFakeSsm(keys: Record<string, string>): Promise<FakeSsm> {
  const calls: SsmCall[] = [];
  const secrets = new Map<string, Map<string, string>>();
  const keyTable = new Map(Object.entries(keys));
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    const reply = (response: Record<string, unknown>) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ Response: { RequestId: `fake-${calls.length}`, ...response } }));
    };
    const error = (code: string, message: string) => reply({ Error: { Code: code, Message: message } });
    let parsed: Record<string, unknown> = {};
    try {
      parsed = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
    } catch {
      parsed = {};
    }
    const scope = /Credential=([^/]+)\/[^/]+\/([^/]+)\//.exec(req.headers.authorization ?? '');
    const call: SsmCall = {
      action: String(req.headers['x-tc-action'] ?? ''),
      region: String(req.headers['x-tc-region'] ?? ''),
      secretId: scope?.[1] ?? '',
      service: scope?.[2] ?? '',
      ...(req.headers['x-tc-token'] ? { token: String(req.headers['x-tc-token']) } : {}),
      body: parsed,
    };
    calls.push(call);
    const refused = verifyTc3(req, body, keyTable, Math.floor(Date.now() / 1000));
    if (refused) {
      call.refused = refused;
      const [code, ...rest] = refused.split(': ');
      return error(code!, rest.join(': ') || code!);
    }
    if (req.headers['x-tc-version'] !== '2019-09-23') return error('InvalidParameterValue', 'version');
    if (call.action !== 'GetSecretValue') return error('InvalidAction', call.action);
    const name = String(parsed.SecretName ?? '');
    const version = String(parsed.VersionId ?? '');
    if (!name || !version) return error('MissingParameter', 'SecretName and VersionId are required');
    const value = secrets.get(name)?.get(version);
    if (value === undefined) return error('ResourceNotFound', `secret ${name} version ${version} not found`);
    reply({ SecretName: name, VersionId: version, SecretString: value, SecretBinary: '' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const agent = new Agent({ keepAlive: false });
  // Whatever host the client asks for, the connection goes to this fake on loopback.
  (agent as unknown as { createConnection: () => unknown }).createConnection = () => connect(port, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    calls,
    secrets,
    agent,
    setSecret(name, value, version = 'v1') {
      const versions = secrets.get(name) ?? new Map<string, string>();
      versions.set(version, typeof value === 'string' ? value : JSON.stringify(value));
      secrets.set(name, versions);
    },
    async close() {
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
