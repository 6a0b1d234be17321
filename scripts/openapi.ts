/**
 * The OpenAPI 3.1 document of the HTTP API, built from the route table (shared/api/route-table.ts)
 * and the same zod schemas the routes validate with. scripts/build.ts writes it to dist/openapi.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as z from 'zod/mini';
import { API_ROUTES } from '../shared/api/route-table';
import * as schemas from '../shared/api/schemas';
import { DEFAULT_BODY_LIMIT, isRawBody, type Route } from '../shared/http/route';
import { humanBytes } from '../shared/http/sizes';
import * as jobSchemas from '../shared/api/job-schemas';
import type { ApiDeps } from '../shared/runtime/api';
import * as materialSchemas from '../shared/api/material-schemas';
import { SourceUploadRequest } from '../shared/media/upload-input';
import { Message, PreviewableMessage } from '../shared/api/message';
import { SPEED_LEVELS } from '../shared/api/speed';
import { WECHAT_ERRORS } from '../shared/api/wechat-errors';
import { MassSendJobReport } from '../shared/reports/mass-send-job-report';
import { MassSendStatus } from '../shared/reports/mass-send-status';

type Json = Record<string, unknown>;

// local/start.ts serves on PORT, 3000 unless set; the document names the default.
const LOCAL_PORT = 3000;

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
  SendStatusResponse: schemas.SendStatusResponse,
  StatusAnswer: schemas.StatusAnswer,
  SpeedRequest: schemas.SpeedRequest,
  SpeedResponse: schemas.SpeedResponse,
  NewsArticle: schemas.NewsArticleInput,
  MediaNewsRequest: schemas.MediaNewsRequest,
  MediaVideoRequest: schemas.MediaVideoRequest,
  MediaIdResponse: schemas.MediaIdResponse,
  MediaImageResponse: schemas.MediaImageResponse,
  SourceUploadRequest,
  MaterialUploadResponse: materialSchemas.MaterialUploadResponse,
  TemporaryMediaResponse: materialSchemas.TemporaryMediaResponse,
  MaterialListResponse: materialSchemas.MaterialListResponse,
  MaterialCountResponse: materialSchemas.MaterialCountResponse,
  MediaIdRequest: materialSchemas.MediaIdRequest,
  DeletedResponse: materialSchemas.DeletedResponse,
  CoverCrop: materialSchemas.CoverCrop,
  DraftArticleInput: materialSchemas.DraftArticleInput,
  DraftArticle: materialSchemas.DraftArticle,
  CreateDraftRequest: materialSchemas.CreateDraftRequest,
  CreateDraftResponse: materialSchemas.CreateDraftResponse,
  DraftResponse: materialSchemas.DraftResponse,
  DraftListResponse: materialSchemas.DraftListResponse,
  SendAcceptedResponse: schemas.SendAcceptedResponse,
  JobAcceptedResponse: jobSchemas.JobAcceptedResponse,
  CreateJobRequest: jobSchemas.CreateJobRequest,
  JobCreatedResponse: jobSchemas.JobCreatedResponse,
  AppendOpenIdsRequest: jobSchemas.AppendOpenIdsRequest,
  AppendOpenIdsResponse: jobSchemas.AppendOpenIdsResponse,
  JobRef: jobSchemas.JobRef,
  JobStatusResponse: jobSchemas.JobStatusResponse,
  BatchStatus: jobSchemas.BatchStatus,
  MassSendJobReport,
  MassSendStatus,
  Error: schemas.ErrorResponse,
} as const;

/** What each tag (a route's `tag`, usually its function) is about. */
const TAGS: Record<string, string> = {
  send: 'Mass sends to every follower, a tag, or a list of OpenIDs; each send is idempotent by clientMsgId.',
  preview: 'A message sent to one person to check how it looks.',
  delete: 'Deleting a sent mpnews or video.',
  status: "Where a send stands: WeChat's status and the MASSSENDJOBFINISH report.",
  speed: "The account's mass-send speed.",
  media: 'Uploads a send needs first: articles, article images, videos.',
  material:
    "Permanent material (kept until deleted: what image, voice and video sends and a draft's cover take) " +
    'and temporary material (kept 3 days). Each upload takes the raw file, a multipart form or {sourceUrl}.',
  drafts: "The draft box: a draft's mediaId is what an mpnews send takes; WeChat removes a draft once it is mass sent.",
  jobs:
    'Sends to OpenID lists of any size, built in chunks, sent ' +
    'by the dispatcher within the shared limit; their status.',
};

// What the schemas cannot say themselves (refinements, counts after deduplication, units).
const DESCRIPTIONS: Record<string, Record<string, string>> = {
  SendByTagRequest: {
    clientMsgId:
      'WeChat clientmsgid, at most 64 bytes of UTF-8. Without it, one is derived from the Idempotency-Key ' +
      'header, else from a SHA-256 digest of the canonical request (audience or OpenIDs + message, ' +
      'key order irrelevant), so the same request sent twice goes out once. A retry with the same ' +
      'value never sends twice; pass a new clientMsgId for an intended re-send of the same content.',
  },
  SendByListRequest: {
    openIds:
      `2 to ${schemas.MAX_OPENIDS.toLocaleString('en')} distinct OpenIDs; duplicates are ` +
      `removed before counting. More than ${schemas.MAX_OPENIDS.toLocaleString('en')} → 413.`,
    clientMsgId: 'As for send-by-tag.',
  },
  SendResponse: {
    msgId: 'WeChat msg_id as decimal digits (64-bit: a JSON number would lose precision).',
    duplicate: 'Present when this clientMsgId had already been sent; nothing new went out.',
  },
  DeleteRequest: { articleIdx: '1-based article position; absent or 0 deletes every article.' },
  StatusResponse: {
    report:
      'The MASSSENDJOBFINISH report recorded by the callback function (counts are ' +
      'approximate), or null until it arrives; WeChat does not always push it.',
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

const pascal = (text: string) => text.replace(/(?:^|[_-])(\w)/g, (_, c: string) => c.toUpperCase());

interface UnionDef {
  discriminator?: string;
  options?: z.ZodMiniType[];
}
const defOf = (schema: z.ZodMiniType) => (schema as unknown as { _zod: { def: UnionDef & Json } })._zod.def;

/** The value of `property` that picks this variant of a discriminated union (a z.literal). */
function discriminatorValue(option: z.ZodMiniType, property: string): string {
  const shape = defOf(option).shape as Record<string, z.ZodMiniType> | undefined;
  const values = shape?.[property] ? (defOf(shape[property]).values as unknown[] | undefined) : undefined;
  if (typeof values?.[0] !== 'string') throw new Error(`a variant without a literal ${property}`);
  return values[0];
}

/**
 * Every named schema, and the variants of each named discriminated union as components of
 * their own (`TextMessage`, …), so the union can say `discriminator: {propertyName: type}`.
 */
function componentSchemas(): Record<string, Json> {
  const names = new Map<z.ZodMiniType, string>(Object.entries(NAMED).map(([name, schema]) => [schema, name]));
  const discriminators: Record<string, { propertyName: string; mapping: Record<string, string> }> = {};
  for (const [name, schema] of Object.entries(NAMED)) {
    const { discriminator, options } = defOf(schema);
    if (!discriminator || !options) continue;
    const mapping: Record<string, string> = {};
    for (const option of options) {
      const value = discriminatorValue(option, discriminator);
      if (!names.has(option)) names.set(option, `${pascal(value)}${name}`);
      mapping[value] = `#/components/schemas/${names.get(option)}`;
    }
    discriminators[name] = { propertyName: discriminator, mapping };
  }
  const registry = z.registry<{ id: string }>();
  for (const [schema, id] of names) registry.add(schema, { id });
  const { schemas: out } = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, Json> };
  return Object.fromEntries(
    Object.entries(out).map(([id, schema]) => {
      const { $schema: _drop, $id: _id, ...rest } = schema;
      const discriminator = discriminators[id];
      return [id, addDescriptions(id, discriminator ? { ...rest, discriminator } : rest)];
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

/** The errors every route can answer; a route's own `responses` add to or refine them. */
const COMMON_ERRORS: Record<number, string> = {
  400:
    'Invalid input: `error.fields` names every offending field (`{path, reason}`),' +
    ` including a value WeChat rejected (errcodes ${INVALID_INPUT_ERRCODES}).`,
  401: 'Missing or wrong `Authorization: Bearer <API key>`. No WeChat call is made.',
  403: 'WeChat errcode 48001: this Official Account may not use this API.',
  405: 'Method not allowed; the `Allow` header lists the right ones.',
  429:
    'WeChat limits: 45011 per-minute limit and 45066 (`Retry-After: 60`), ' +
    '45009 daily API quota, 45028 no mass-send quota left.',
  500: 'Our own fault: a generic message and the request id; the detail is in the log.',
  502:
    'WeChat failed: unknown errcodes carry `errcode` and `errmsg`;' +
    ' token errors after the one retry; unreadable replies.',
  503:
    '`not_configured` (no API keys or missing variables); `store_unavailable` (`Retry-After: 5`): ' +
    'the shared store (token cache, send records) failed, so nothing was done, retry shortly ' +
    '(a send with the same clientMsgId); or `wechat_busy` (errcode -1, `Retry-After`).',
  504: 'WeChat did not answer in time.',
};

const NAME_OF = new Map<unknown, string>(Object.entries(NAMED).map(([name, schema]) => [schema, name]));

function schemaName(schema: unknown, where: string): string {
  const name = NAME_OF.get(schema);
  if (!name) throw new Error(`${where}: name its schema in scripts/openapi.ts NAMED`);
  return name;
}

interface ObjectSchema {
  properties?: Record<string, Json>;
  required?: string[];
  anyOf?: ObjectSchema[];
  oneOf?: ObjectSchema[];
}

/**
 * The parameters of a query or path schema, one per property. A union of objects (one of
 * `?msgId=` or `?clientMsgId=`) documents every branch's parameters, each required only when
 * every branch requires it; the route's schema still decides which combinations are valid.
 */
export function parametersOf(schema: z.ZodMiniType | undefined, location: 'query' | 'path'): Json[] {
  if (!schema) return [];
  const root = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as ObjectSchema;
  const branches = root.anyOf ?? root.oneOf ?? [root];
  const properties = new Map<string, Json>();
  for (const branch of branches) {
    for (const [name, property] of Object.entries(branch.properties ?? {})) {
      if (!properties.has(name)) properties.set(name, property);
    }
  }
  return [...properties].map(([name, property]) => ({
    name,
    in: location,
    required: location === 'path' || branches.every((branch) => (branch.required ?? []).includes(name)),
    schema: property,
  }));
}

/** Every `{name}` of the path, from the route's `params` schema when it declares one, else a string. */
export function pathParametersOf(route: Route<ApiDeps>): Json[] {
  const declared = parametersOf(route.params, 'path');
  const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!);
  const undeclared = names.filter((name) => !declared.some((param) => param.name === name));
  return [...declared, ...undeclared.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } }))];
}

function requestBodyOf(route: Route<ApiDeps>): Json | undefined {
  if (!route.body) return undefined;
  if (isRawBody(route.body)) {
    const { upload } = route.body;
    const raw = route.body.raw.map((type) => [type, { schema: { type: 'string', contentMediaType: type } }]);
    if (!upload) return { required: true, content: Object.fromEntries(raw) };
    // An upload: the raw file, `curl -F media=@file` (with text fields), or JSON {sourceUrl}.
    const form = {
      type: 'object',
      required: ['media'],
      properties: {
        media: { type: 'string', contentMediaType: 'application/octet-stream', description: 'The file.' },
        ...Object.fromEntries(upload.formFields.map((field) => [field, { type: 'string' }])),
      },
    };
    return {
      required: true,
      description:
        'The file as the raw body (its real Content-Type), as a multipart form with ' +
        'the file in `media`, or as JSON `{sourceUrl}`: an https URL the function ' +
        'downloads (internal addresses, redirects and other schemes are refused).',
      content: {
        ...Object.fromEntries(raw),
        'multipart/form-data': { schema: form },
        'application/json': { schema: ref(schemaName(upload.json, route.operationId)) },
      },
    };
  }
  return {
    required: true,
    content: { 'application/json': { schema: ref(schemaName(route.body, route.operationId)) } },
  };
}

function operationOf(route: Route<ApiDeps>): Json {
  const notes = route.responses ?? {};
  const answers = Object.entries(route.answers).map(([status, schema]) => [
    status,
    json(schemaName(schema, `${route.operationId} ${status}`), notes[Number(status)] ?? 'Success.'),
  ]);
  const jsonBody = route.body !== undefined && !isRawBody(route.body);
  const unsupported: Record<number, string> = jsonBody ? { 415: 'The body is not application/json.' } : {};
  const limit = route.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const tooLarge = `\`body_too_large\`: the body is over ${humanBytes(limit.bytes)} (${limit.why}).`;
  const errors: Record<number, string> = {
    ...COMMON_ERRORS,
    ...unsupported,
    ...(route.body ? ({ 413: tooLarge } as Record<number, string>) : {}),
    ...Object.fromEntries(Object.entries(notes).filter(([status]) => !(status in route.answers))),
  };
  if (route.body && notes[413]) errors[413] = `${notes[413]} ${tooLarge}`;
  const parameters = [
    ...pathParametersOf(route),
    ...parametersOf(route.query, 'query'),
    ...(route.headers ?? []).map((header) => ({ ...header, in: 'header', required: false })),
  ];
  const requestBody = requestBodyOf(route);
  if (!TAGS[route.tag])
    throw new Error(`${route.operationId}: describe its tag "${route.tag}" in TAGS (scripts/openapi.ts)`);
  return {
    operationId: route.operationId,
    tags: [route.tag],
    summary: route.summary,
    ...(parameters.length ? { parameters } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses: {
      ...Object.fromEntries(answers),
      ...Object.fromEntries(Object.entries(errors).map(([status, description]) => [status, error(description)])),
    },
  };
}

/** Every route of the route table, by path and method. */
function pathsOf(routes: readonly Route<ApiDeps>[]): Record<string, Record<string, Json>> {
  const paths: Record<string, Record<string, Json>> = {};
  for (const route of routes) {
    paths[route.path] ??= {};
    const methods = paths[route.path]!;
    const method = route.method.toLowerCase();
    if (methods[method]) throw new Error(`${route.method} ${route.path} is declared twice`);
    methods[method] = operationOf(route);
  }
  return paths;
}

export function buildOpenApi(): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: 'WeChat Official Account mass send API',
      version: '0.1.0',
      license: { name: 'MIT', identifier: 'MIT' },
      description:
        'Mass sends (群发) through a WeChat Official Account. Every route needs `Authorization: Bearer <API key>`. ' +
        'Errors share one shape: `{error: {code, message, fields?, requestId, …}}`; ' +
        'WeChat errcodes are translated by the table in `x-wechat-errcodes`.',
    },
    servers: [
      { url: `http://127.0.0.1:${LOCAL_PORT}`, description: 'npm start: the local gateway (PORT, default 3000)' },
      {
        url: 'https://{host}/{stage}',
        description: 'Tencent Cloud API Gateway: the service domain and stage `serverless deploy` prints',
        variables: { host: { default: 'service-xxxxxxxx.gz.apigw.tencentcs.com' }, stage: { default: 'release' } },
      },
    ],
    security: [{ bearer: [] }],
    tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
    'x-wechat-errcodes': Object.entries(WECHAT_ERRORS).map(([errcode, rule]) => ({
      errcode: Number(errcode),
      ...rule,
    })),
    paths: pathsOf(API_ROUTES.map(({ route }) => route)),
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
