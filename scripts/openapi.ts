/**
 * The OpenAPI 3.1 document of the HTTP API, built from the same zod schemas the handlers
 * validate with (shared/api/schemas.ts). scripts/build.ts writes it to dist/openapi.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as z from 'zod/mini';
import * as schemas from '../shared/api/schemas';
import { Message, PreviewableMessage } from '../shared/api/message';
import { SPEED_LEVELS } from '../shared/api/speed';
import { WECHAT_ERRORS } from '../shared/api/wechat-errors';
import { MSG_ID_PATTERN } from '../shared/wechat/msg-id';

type Json = Record<string, unknown>;

const NAMED = {
  Message,
  PreviewableMessage,
  Audience: schemas.Audience,
  SendByTagRequest: schemas.SendByTagRequest,
  SendByListRequest: schemas.SendByListRequest,
  SendResponse: schemas.SendResponse,
  AwaitingConfirmationResponse: schemas.AwaitingConfirmationResponse,
  PreviewRequest: schemas.PreviewRequest,
  PreviewResponse: schemas.PreviewResponse,
  DeleteRequest: schemas.DeleteRequest,
  DeleteResponse: schemas.DeleteResponse,
  StatusResponse: schemas.StatusResponse,
  SpeedRequest: schemas.SpeedRequest,
  SpeedResponse: schemas.SpeedResponse,
  NewsArticle: schemas.NewsArticleInput,
  MediaNewsRequest: schemas.MediaNewsRequest,
  MediaVideoRequest: schemas.MediaVideoRequest,
  MediaIdResponse: schemas.MediaIdResponse,
  MediaImageResponse: schemas.MediaImageResponse,
  Error: schemas.ErrorResponse,
} as const;

// What the schemas cannot say themselves (refinements, counts after deduplication, units).
const DESCRIPTIONS: Record<string, Record<string, string>> = {
  SendByTagRequest: {
    clientMsgId:
      'WeChat clientmsgid, at most 64 bytes of UTF-8. Without it, one is derived from the Idempotency-Key header, else generated. A retry with the same value never sends twice.',
  },
  SendByListRequest: {
    openIds: `2 to ${schemas.MAX_OPENIDS.toLocaleString('en')} distinct OpenIDs; duplicates are removed before counting. More than ${schemas.MAX_OPENIDS.toLocaleString('en')} → 413.`,
    clientMsgId: 'As for send-by-tag.',
  },
  SendResponse: {
    msgId: 'WeChat msg_id as decimal digits (64-bit: a JSON number would lose precision).',
    duplicate: 'Present when this clientMsgId had already been sent; nothing new went out.',
  },
  DeleteRequest: { articleIdx: '1-based article position; absent or 0 deletes every article.' },
  StatusResponse: {
    report:
      'The MASSSENDJOBFINISH report recorded by the callback function (counts are approximate), or null until it arrives; WeChat does not always push it.',
  },
  SpeedResponse: {
    usersPerMinute: `Levels: ${Object.entries(SPEED_LEVELS)
      .map(([level, speed]) => `${level} = ${speed.toLocaleString('en')}`)
      .join(', ')} users a minute.`,
  },
};

function addDescriptions(name: string, schema: Json): Json {
  const notes = DESCRIPTIONS[name];
  const properties = schema.properties as Record<string, Json> | undefined;
  if (notes && properties) {
    for (const [field, description] of Object.entries(notes)) {
      if (properties[field]) properties[field] = { ...properties[field], description };
    }
  }
  return schema;
}

function componentSchemas(): Record<string, Json> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(NAMED)) registry.add(schema, { id });
  const { schemas: out } = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, Json> };
  return Object.fromEntries(
    Object.entries(out).map(([id, schema]) => {
      const { $schema: _drop, $id: _id, ...rest } = schema;
      return [id, addDescriptions(id, rest)];
    }),
  );
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: string, description: string) => ({
  description,
  content: { 'application/json': { schema: ref(name) } },
});
const error = (description: string) => json('Error', description);

// The errcodes the table answers with 400, so the document follows the table.
const INVALID_INPUT_ERRCODES = Object.entries(WECHAT_ERRORS)
  .filter(([, rule]) => rule.status === 400)
  .map(([errcode]) => errcode)
  .join(', ');

const COMMON_ERRORS = {
  '400': error(
    `Invalid input: \`error.fields\` names every offending field (\`{path, reason}\`), including a value WeChat rejected (errcodes ${INVALID_INPUT_ERRCODES}).`,
  ),
  '401': error('Missing or wrong `Authorization: Bearer <API key>`. No WeChat call is made.'),
  '403': error('WeChat errcode 48001: this Official Account may not use this API.'),
  '405': error('Method not allowed; the `Allow` header lists the right ones.'),
  '429': error(
    'WeChat limits: 45011 per-minute limit and 45066 (`Retry-After: 60`), 45009 daily API quota, 45028 no mass-send quota left.',
  ),
  '500': error('Our own fault: a generic message and the request id; the detail is in the log.'),
  '502': error(
    'WeChat failed: unknown errcodes carry `errcode` and `errmsg`; token errors after the one retry; unreadable replies.',
  ),
  '503': error(
    '`not_configured` (no API keys or missing variables); `store_unavailable` (`Retry-After: 5`): the shared store (token cache, send records) failed, so nothing was done, retry shortly (a send with the same clientMsgId); or `wechat_busy` (errcode -1, `Retry-After`).',
  ),
  '504': error('WeChat did not answer in time.'),
};

const SEND_ERRORS = {
  ...COMMON_ERRORS,
  '409': error(
    '`send_in_progress`: a send with this clientMsgId is in progress (`Retry-After: 5`); retry with the same clientMsgId.',
  ),
  '415': error('The body is not application/json.'),
  '422': error(
    '`client_msg_id_reused`: this clientMsgId was already used for a different message or audience; use a new one for a new send.',
  ),
  '502': error(
    'As above, plus `outcome_unknown`: no usable answer, the message may have gone out; retry with the same clientMsgId (WeChat then answers with the existing msgId).',
  ),
  '504': error('`outcome_unknown` after a timeout: the message may have gone out; retry with the same clientMsgId.'),
};

const idempotencyKey = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'Used when the body has no clientMsgId: the clientmsgid is derived from it (SHA-256), so retries with the same key send once. 1 to 255 characters.',
  schema: { type: 'string', minLength: 1, maxLength: 255 },
};

function sendOperation(summary: string, request: string, extra: Json = {}) {
  return {
    summary,
    parameters: [idempotencyKey],
    requestBody: { required: true, content: { 'application/json': { schema: ref(request) } } },
    responses: {
      '200': json(
        'SendResponse',
        'Sent, or already sent with this clientMsgId (`duplicate: true`, WeChat errcode 45065 or our own record).',
      ),
      '202': json(
        'AwaitingConfirmationResponse',
        'WeChat errcode 89504/89505: an administrator must confirm the send (API mass-send protection). Do not send again; query /status later.',
      ),
      ...SEND_ERRORS,
      ...extra,
    },
  };
}

function jsonOperation(summary: string, request: string | undefined, response: string, errors: Json = COMMON_ERRORS) {
  return {
    summary,
    ...(request ? { requestBody: { required: true, content: { 'application/json': { schema: ref(request) } } } } : {}),
    responses: { '200': json(response, 'Success.'), ...errors },
  };
}

export function buildOpenApi(): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: 'WeChat Official Account mass send API',
      version: '0.1.0',
      description:
        'Mass sends (群发) through a WeChat Official Account. Every route needs `Authorization: Bearer <API key>`. Errors share one shape: `{error: {code, message, fields?, requestId, …}}`; WeChat errcodes are translated by the table in `x-wechat-errcodes`.',
    },
    servers: [
      {
        url: 'https://{host}/{stage}',
        variables: { host: { default: 'service-xxxxxxxx.gz.apigw.tencentcs.com' }, stage: { default: 'release' } },
      },
    ],
    security: [{ bearer: [] }],
    'x-wechat-errcodes': Object.entries(WECHAT_ERRORS).map(([errcode, rule]) => ({
      errcode: Number(errcode),
      ...rule,
    })),
    paths: {
      '/send-by-tag': {
        post: sendOperation('Mass send to every follower or to one tag (WeChat sendall)', 'SendByTagRequest'),
      },
      '/send-by-list': {
        post: sendOperation('Mass send to 2 to 10,000 OpenIDs (WeChat send)', 'SendByListRequest', {
          '413': error(
            'More than 10,000 distinct OpenIDs: large lists need the job feature, which is not implemented yet.',
          ),
        }),
      },
      '/preview': {
        post: jsonOperation(
          'Send the message to one OpenID or WeChat ID to check it (100 a day)',
          'PreviewRequest',
          'PreviewResponse',
        ),
      },
      '/delete': {
        post: jsonOperation(
          'Delete a sent mpnews or video by msgId (optionally one article) or article URL',
          'DeleteRequest',
          'DeleteResponse',
          {
            ...COMMON_ERRORS,
            '404': error('WeChat errcode 40059: unknown msgId.'),
          },
        ),
      },
      '/status': {
        get: {
          summary: "WeChat's msg_status and the recorded MASSSENDJOBFINISH report",
          parameters: [
            { name: 'msgId', in: 'query', required: true, schema: { type: 'string', pattern: MSG_ID_PATTERN.source } },
          ],
          responses: {
            '200': json('StatusResponse', 'Success.'),
            ...COMMON_ERRORS,
            '404': error('WeChat errcode 40059: unknown msgId.'),
          },
        },
      },
      '/speed': {
        get: jsonOperation('The mass-send speed level and its real speed', undefined, 'SpeedResponse'),
        put: jsonOperation('Set the mass-send speed level (0 fastest … 4 slowest)', 'SpeedRequest', 'SpeedResponse'),
      },
      '/media/news': {
        post: jsonOperation(
          'Upload 1 to 8 articles; the media_id is what an mpnews send takes',
          'MediaNewsRequest',
          'MediaIdResponse',
        ),
      },
      '/media/image': {
        post: {
          summary: 'Upload an image for article content (JPEG or PNG below 1 MB); answers its URL',
          parameters: [{ name: 'filename', in: 'query', required: false, schema: { type: 'string' } }],
          requestBody: {
            required: true,
            content: {
              'image/jpeg': { schema: { type: 'string', contentMediaType: 'image/jpeg' } },
              'image/png': { schema: { type: 'string', contentMediaType: 'image/png' } },
            },
          },
          responses: {
            '200': json('MediaImageResponse', 'Success.'),
            ...COMMON_ERRORS,
            '413': error('The image is 1 MB or larger.'),
            '415': error('The body is neither a JPEG nor a PNG image.'),
          },
        },
      },
      '/media/video': {
        post: jsonOperation(
          'Convert an uploaded video media_id into the one an mpvideo send takes',
          'MediaVideoRequest',
          'MediaIdResponse',
        ),
      },
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'One of the keys in API_KEYS.' } },
      schemas: componentSchemas(),
    },
  };
}

export async function writeOpenApi(file: string): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(buildOpenApi(), null, 2)}\n`);
}
