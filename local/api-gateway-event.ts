import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';

// Without a deployment's routes (a gateway started on bare function names, as some tests do),
// text types pass as text and anything else is base64-encoded.
const TEXT = /^(text\/|application\/(json|xml|x-www-form-urlencoded|javascript)|[^;]*\+(json|xml))/i;

/**
 * Builds the event Tencent Cloud API Gateway sends an SCF function for one HTTP request.
 * `base64`: the route's `isBase64Encoded` in api-gateway/serverless.yml. API Gateway encodes per
 * route, not per content type: a route with it (and no header trigger rules) gets every body
 * base64-encoded, whatever its Content-Type or none; a route without it gets the body as text.
 * Undefined: no route (see TEXT).
 */
export function toScfEvent(req: IncomingMessage, body: Buffer, functionPath: string, base64?: boolean) {
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
  const isText =
    base64 === undefined ? body.length === 0 || TEXT.test(headers['content-type'] ?? 'text/plain') : !base64;
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
