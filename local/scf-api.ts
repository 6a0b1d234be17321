import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FunctionContainer } from './function-container';

/**
 * The one call of Tencent Cloud's SCF API the product makes, answered locally so `npm start`
 * runs the same hand-off code as the cloud: `Invoke` (version 2018-04-16), as
 * tencentcloud-sdk-nodejs sends it: POST / with X-TC-Action, X-TC-Version and a TC3-HMAC-SHA256
 * Authorization header; the JSON body is an InvokeRequest (FunctionName, InvocationType,
 * ClientContext, Namespace…; scf_models.ts). Answers `{Response: {...}}`, errors as
 * `{Response: {Error: {Code, Message}, RequestId}}`. No kinder than the cloud: an unsigned
 * request, another action, an unknown function or an asynchronous ClientContext over 128 KB is
 * refused. The signature itself is not checked (locally there is no secret to check it with).
 */
export const ASYNC_PAYLOAD_LIMIT = 128 * 1024;

export interface ScfApiAnswer {
  status: number;
  body: { Response: Record<string, unknown> };
}

export function isScfApiRequest(req: IncomingMessage, path: string): boolean {
  return req.method === 'POST' && path === '/' && typeof req.headers['x-tc-action'] === 'string';
}

export function answerScfApi(
  req: IncomingMessage,
  body: Buffer,
  containers: Map<string, FunctionContainer>,
  /** SCF function name (serverless.yml `name`) → container key. */
  names: Map<string, string>,
  log: (line: string) => void,
): ScfApiAnswer {
  const requestId = randomUUID();
  const fail = (code: string, message: string): ScfApiAnswer => ({
    status: 200,
    body: { Response: { Error: { Code: code, Message: message }, RequestId: requestId } },
  });
  const authorization = String(req.headers.authorization ?? '');
  if (!authorization.startsWith('TC3-HMAC-SHA256 Credential=')) {
    return fail('AuthFailure.SignatureFailure', 'the request is not signed with TC3-HMAC-SHA256');
  }
  if (req.headers['x-tc-action'] !== 'Invoke') return fail('InvalidAction', `only Invoke is served locally`);
  if (req.headers['x-tc-version'] !== '2018-04-16') return fail('InvalidParameter', 'X-TC-Version must be 2018-04-16');
  let input: Record<string, unknown>;
  try {
    input = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  } catch {
    return fail('InvalidParameter', 'the body is not JSON');
  }
  const name = typeof input.FunctionName === 'string' ? input.FunctionName : '';
  const key = names.get(name) ?? name;
  const container = containers.get(key);
  if (!container) return fail('ResourceNotFound.Function', `no function ${name}`);
  const type = input.InvocationType ?? 'RequestResponse';
  if (type !== 'Event')
    return fail('InvalidParameterValue.InvocationType', 'locally only Event (asynchronous) is served');
  const context = typeof input.ClientContext === 'string' ? input.ClientContext : '{}';
  if (Buffer.byteLength(context) > ASYNC_PAYLOAD_LIMIT) {
    return fail(
      'InvalidParameterValue.ClientContext',
      'an asynchronous invocation takes at most 128 KB of ClientContext',
    );
  }
  let event: unknown;
  try {
    event = JSON.parse(context);
  } catch {
    return fail('InvalidParameterValue.ClientContext', 'ClientContext is not JSON');
  }
  // Asynchronous: SCF queues the event and answers at once.
  log(`invoke ${key} (Event) queued as ${requestId}`);
  void container
    .invoke(event, { request_id: requestId, function_name: key })
    .then((outcome) =>
      log(
        `invoke ${key} (Event) ${requestId} ` +
          (outcome.error ? `failed: ${outcome.error}` : JSON.stringify(outcome.result)),
      ),
    )
    .catch(() => {});
  return { status: 200, body: { Response: { Result: { FunctionRequestId: requestId }, RequestId: requestId } } };
}
