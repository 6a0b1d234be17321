import { defineRoute, ok, uploadBody } from '../../http/route';
import { createDraft, deleteDraft, getDraft, listDrafts, type DraftDeps } from '../drafts';
import {
  countMaterial,
  deleteMaterial,
  listMaterial,
  uploadPermanentMaterial,
  uploadTemporaryMaterial,
  type MaterialDeps,
} from '../material';
import {
  CreateDraftRequest,
  CreateDraftResponse,
  DeletedResponse,
  DraftListQuery,
  DraftListResponse,
  DraftResponse,
  MaterialCountResponse,
  MaterialListQuery,
  MaterialListResponse,
  MaterialUploadResponse,
  MediaIdQuery,
  MediaIdRequest,
  TemporaryMediaResponse,
} from '../material-schemas';
import { MEDIA_FORMATS } from '../../media/media-format';
import { SourceUploadRequest } from '../../media/upload-input';
import { UPLOAD_RULES, type Lifetime, type UploadKind } from '../../media/upload-limits';

/**
 * The material and draft routes of the media function: everything a send's media id comes from.
 * Each upload type is its own path (no path parameters: API Gateway routes them one by one).
 */
const KINDS: readonly UploadKind[] = ['image', 'voice', 'video', 'thumb'];
const capital = (text: string) => text[0]!.toUpperCase() + text.slice(1);

// A form adds a few hundred bytes of headers around the file.
const FORM_OVERHEAD = 16 * 1024;

function bodyLimitOf(lifetime: Lifetime, kind: UploadKind) {
  const rule = UPLOAD_RULES[lifetime][kind];
  return {
    bytes: rule.maxBytes + FORM_OVERHEAD,
    why:
      `WeChat takes ${rule.sizeText} for a ${lifetime} ${kind} (over about ` +
      `4.5 MB, API Gateway's 6 MB event cannot carry it: use sourceUrl)`,
  };
}

function bodyOf(lifetime: Lifetime, kind: UploadKind) {
  const types = UPLOAD_RULES[lifetime][kind].formats.map((name) => MEDIA_FORMATS[name].contentType);
  const fields = lifetime === 'permanent' && kind === 'video' ? ['title', 'introduction'] : [];
  return uploadBody(SourceUploadRequest, [...types, 'application/octet-stream'], fields);
}

function uploadErrors(lifetime: Lifetime, kind: UploadKind) {
  const rule = UPLOAD_RULES[lifetime][kind];
  return {
    413: `The file is over ${rule.sizeText}, or the request's SCF event over 6 MB (upload by sourceUrl instead).`,
    415: `The file is not ${rule.formats.join(', ')}, or its declared type disagrees with its bytes.`,
    400: 'No file, a malformed form, or a refused sourceUrl (not https, an internal address, a redirect).',
    502: 'WeChat, or the sourceUrl, could not be reached.',
    504: 'WeChat, or the sourceUrl, did not answer in time.',
  };
}

const permanentUploads = KINDS.map((kind) =>
  defineRoute({
    method: 'POST',
    path: `/media/material/${kind}`,
    operationId: `uploadPermanent${capital(kind)}`,
    tag: 'material',
    summary:
      `Upload a permanent ${kind} (${UPLOAD_RULES.permanent[kind].formats.join(', ')}, ` +
      `up to ${UPLOAD_RULES.permanent[kind].sizeText})${kind === 'video' ? ' with its title and introduction' : ''}`,
    body: bodyOf('permanent', kind),
    bodyLimit: bodyLimitOf('permanent', kind),
    answers: { 200: MaterialUploadResponse },
    responses: uploadErrors('permanent', kind),
    run: async (deps: MaterialDeps, { request }) => ok(await uploadPermanentMaterial(deps, kind, request)),
  }),
);

const temporaryUploads = KINDS.map((kind) =>
  defineRoute({
    method: 'POST',
    path: `/media/temporary/${kind}`,
    operationId: `uploadTemporary${capital(kind)}`,
    tag: 'material',
    summary:
      `Upload a temporary ${kind} that WeChat keeps 3 days (${UPLOAD_RULES.temporary[kind].formats.join(', ')}, ` +
      `up to ${UPLOAD_RULES.temporary[kind].sizeText})`,
    body: bodyOf('temporary', kind),
    bodyLimit: bodyLimitOf('temporary', kind),
    answers: { 200: TemporaryMediaResponse },
    responses: uploadErrors('temporary', kind),
    run: async (deps: MaterialDeps, { request }) => ok(await uploadTemporaryMaterial(deps, kind, request)),
  }),
);

export const materialRoutes = [
  ...permanentUploads,
  ...temporaryUploads,
  defineRoute({
    method: 'GET',
    path: '/media/material',
    operationId: 'listMaterial',
    tag: 'material',
    summary: 'List permanent material of one type, newest first, 20 at most per page',
    query: MaterialListQuery,
    answers: { 200: MaterialListResponse },
    run: async (deps: MaterialDeps, { query }) => ok(await listMaterial(deps, query)),
  }),
  defineRoute({
    method: 'GET',
    path: '/media/material/count',
    operationId: 'countMaterial',
    tag: 'material',
    summary: 'Count permanent material by type',
    answers: { 200: MaterialCountResponse },
    run: async (deps: MaterialDeps) => ok(await countMaterial(deps)),
  }),
  defineRoute({
    method: 'POST',
    path: '/media/material/delete',
    operationId: 'deleteMaterial',
    tag: 'material',
    summary: 'Delete permanent material',
    body: MediaIdRequest,
    answers: { 200: DeletedResponse },
    run: async (deps: MaterialDeps, { body }) => ok(await deleteMaterial(deps, body.mediaId)),
  }),
];

export const draftRoutes = [
  defineRoute({
    method: 'POST',
    path: '/media/drafts',
    operationId: 'createDraft',
    tag: 'drafts',
    summary: 'Create a draft of 1 to 8 articles; its media_id is what an mpnews send takes',
    body: CreateDraftRequest,
    bodyLimit: {
      bytes: 6 * 1024 * 1024,
      why: "up to 8 articles of content under 1 MB each (draft_add); API Gateway's own limit is 6 MB",
    },
    answers: { 200: CreateDraftResponse },
    run: async (deps: DraftDeps, { body }) => ok(await createDraft(deps, body)),
  }),
  defineRoute({
    method: 'GET',
    path: '/media/drafts',
    operationId: 'listDrafts',
    tag: 'drafts',
    summary: 'List drafts, newest first, 20 at most per page (a mass-sent draft leaves the box)',
    query: DraftListQuery,
    answers: { 200: DraftListResponse },
    run: async (deps: DraftDeps, { query }) => ok(await listDrafts(deps, query)),
  }),
  defineRoute({
    method: 'GET',
    path: '/media/draft',
    operationId: 'getDraft',
    tag: 'drafts',
    summary: 'Read one draft back',
    query: MediaIdQuery,
    answers: { 200: DraftResponse },
    run: async (deps: DraftDeps, { query }) => ok(await getDraft(deps, query.mediaId)),
  }),
  defineRoute({
    method: 'POST',
    path: '/media/drafts/delete',
    operationId: 'deleteDraft',
    tag: 'drafts',
    summary: 'Delete a draft',
    body: MediaIdRequest,
    answers: { 200: DeletedResponse },
    run: async (deps: DraftDeps, { body }) => ok(await deleteDraft(deps, body.mediaId)),
  }),
];
