/**
 * `STORE_URL` for Redis, read once into connection options: the config schema checks it with
 * this parser and the Redis adapter connects with its result, so no URL is parsed again later
 * (where an error would carry the URL, password included). Errors never hold the URL.
 */
export interface RedisConnection {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db: number;
  tls: boolean;
}

export class RedisUrlError extends Error {
  override readonly name = 'RedisUrlError';
}

export const REDIS_URL_FORMAT =
  'must be redis://[[user]:password@]host[:port][/db] (or rediss://), with the special characters of ' +
  'the password percent-encoded (# as %23, / as %2F, ? as %3F, @ as %40, : as %3A, % as %25)';

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new RedisUrlError('has a malformed percent-encoding in its user or password');
  }
}

export function isRedisUrl(url: string): boolean {
  return /^rediss?:\/\//i.test(url);
}

export function parseRedisUrl(url: string): RedisConnection {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RedisUrlError(REDIS_URL_FORMAT);
  }
  const protocol = parsed.protocol.toLowerCase();
  if (protocol !== 'redis:' && protocol !== 'rediss:') throw new RedisUrlError(REDIS_URL_FORMAT);
  // An unencoded # or ? in the password moves the rest of the URL into a fragment or a query.
  if (parsed.search !== '' || parsed.hash !== '' || url.includes('#') || url.includes('?')) {
    throw new RedisUrlError(REDIS_URL_FORMAT);
  }
  if (parsed.hostname === '') throw new RedisUrlError(REDIS_URL_FORMAT);
  const path = parsed.pathname;
  if (path !== '' && path !== '/' && !/^\/\d{1,5}$/.test(path)) {
    throw new RedisUrlError('must name the database as a number after the host (/0 to /15 on Tencent Cloud Redis)');
  }
  const connection: RedisConnection = {
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: parsed.port === '' ? 6379 : Number(parsed.port),
    db: path.length > 1 ? Number(path.slice(1)) : 0,
    tls: protocol === 'rediss:',
  };
  if (parsed.username !== '') connection.username = decode(parsed.username);
  if (parsed.password !== '') connection.password = decode(parsed.password);
  return connection;
}

/** The password as the URL spells it and decoded: both must be scrubbed from any output. */
export function redisUrlSecrets(url: string): string[] {
  try {
    const { password } = new URL(url);
    return password === '' ? [] : [password, decode(password)];
  } catch {
    return [];
  }
}
