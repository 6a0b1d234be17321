/**
 * A Tencent Cloud API Gateway → SCF event as the gateway really sends it (integration request,
 * "release" stage), with the fields this product ignores present too.
 */
export interface ApiEventOptions {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  /** A string body, or a value sent as JSON. */
  body?: string | object;
  /** Binary bodies arrive base64-encoded with isBase64Encoded: true. */
  binary?: Uint8Array;
  query?: Record<string, string | string[] | true>;
  /** `Authorization: Bearer <key>`; undefined leaves the header out. */
  apiKey?: string;
}

export const API_REQUEST_ID = 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef';

export function apiEvent(options: ApiEventOptions): Record<string, unknown> {
  const method = options.method ?? 'POST';
  const body =
    options.binary !== undefined
      ? Buffer.from(options.binary).toString('base64')
      : typeof options.body === 'object'
        ? JSON.stringify(options.body)
        : options.body;
  const headers: Record<string, string> = {
    accept: '*/*',
    host: 'service-abc12345-1250000000.gz.apigw.tencentcs.com',
    'user-agent': 'curl/8.5.0',
    'x-anonymous-consumer': 'true',
    'x-api-requestid': API_REQUEST_ID.replace(/-/g, ''),
    'x-b3-traceid': API_REQUEST_ID.replace(/-/g, ''),
    'x-qualifier': '$LATEST',
    ...(body !== undefined && options.binary === undefined && typeof options.body === 'object'
      ? { 'content-type': 'application/json' }
      : {}),
    ...(options.apiKey !== undefined ? { Authorization: `Bearer ${options.apiKey}` } : {}),
    ...options.headers,
  };
  const query = options.query ?? {};
  return {
    requestContext: {
      serviceId: 'service-abc12345',
      path: options.path.replace(/^\/release/, ''),
      httpMethod: method,
      requestId: API_REQUEST_ID,
      identity: {},
      sourceIp: '203.0.113.7',
      stage: 'release',
    },
    headers,
    ...(body !== undefined ? { body } : {}),
    pathParameters: {},
    queryStringParameters: {},
    headerParameters: {},
    stageVariables: { stage: 'release' },
    path: options.path,
    queryString: query,
    httpMethod: method,
    isBase64Encoded: options.binary !== undefined,
  };
}
