import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';

// Content types API Gateway passes through as text; anything else arrives base64-encoded.
const TEXT = /^(text\/|application\/(json|xml|x-www-form-urlencoded|javascript)|[^;]*\+(json|xml))/i;

/** Builds the event Tencent Cloud API Gateway sends an SCF function for one HTTP request. */
export function toScfEvent(req: IncomingMessage, body: Buffer, functionPath: string) {
  const url = new URL(req.url ?? '/', 'http://local');
  const queryString: Record<string, string | string[] | true> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(key);
    queryString[key] =
      values.length > 1 ? values : values[0] === '' && !url.search.includes(`${key}=`) ? true : values[0]!;
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const isText = body.length === 0 || TEXT.test(headers['content-type'] ?? 'text/plain');
  const requestId = randomUUID();
  return {
    requestId,
    event: {
      requestContext: {
        serviceId: 'service-local',
        path: functionPath,
        httpMethod: req.method ?? 'GET',
        requestId,
        identity: {},
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        stage: 'release',
      },
      headers,
      body: isText ? body.toString('utf8') : body.toString('base64'),
      isBase64Encoded: !isText,
      pathParameters: {},
      queryStringParameters: {},
      headerParameters: {},
      stageVariables: {},
      path: url.pathname,
      queryString,
      httpMethod: req.method ?? 'GET',
    },
  };
}

export interface IntegratedResponse {
  statusCode: number;
  headers?: Record<string, string>;
  body?: string;
  isBase64Encoded?: boolean;
}

export function isIntegratedResponse(value: unknown): value is IntegratedResponse {
  return typeof value === 'object' && value !== null && typeof (value as IntegratedResponse).statusCode === 'number';
}
