import { defineRoute, ok, uploadBody } from '../../http/route';
import { SourceUploadRequest } from '../../media/upload-input';
import { draftRoutes, materialRoutes } from './material';
import { convertVideo, uploadArticleImage, uploadNewsArticles, type MediaDeps } from '../media';
import { MediaIdResponse, MediaImageResponse, MediaNewsRequest, MediaVideoRequest } from '../schemas';

/** The routes of the media function: the uploads an mpnews or video send needs first. */
export const mediaRoutes = [
  defineRoute({
    method: 'POST',
    path: '/media/news',
    operationId: 'uploadNews',
    tag: 'media',
    summary: 'Upload 1 to 8 articles; the media_id is what an mpnews send takes',
    body: MediaNewsRequest,
    // 8 articles of under 20,000 characters (draft_add's limit), up to 3 bytes each in UTF-8.
    bodyLimit: { bytes: 1024 * 1024, why: 'WeChat takes at most 8 articles of under 20,000 characters each' },
    answers: { 200: MediaIdResponse },
    run: async (deps: MediaDeps, { body }) => ok(await uploadNewsArticles(deps, body)),
  }),
  defineRoute({
    method: 'POST',
    path: '/media/image',
    operationId: 'uploadImage',
    tag: 'media',
    summary: 'Upload an image for article content (JPEG or PNG below 1 MB); answers its URL',
    // The service reads the request itself: the raw image, a multipart form (field `media`) or
    // JSON {sourceUrl} (shared/media/upload-input.ts).
    body: uploadBody(SourceUploadRequest, ['image/jpeg', 'image/png']),
    bodyLimit: {
      bytes: 1024 * 1024 + 16 * 1024,
      why: "WeChat's uploadimg takes images below 1 MB (a multipart form adds a few hundred bytes)",
    },
    answers: { 200: MediaImageResponse },
    responses: {
      413: 'The image is 1 MB or larger.',
      415: 'The file is neither a JPEG nor a PNG image, or its declared type disagrees with its bytes.',
    },
    run: async (deps: MediaDeps, { request }) => ok(await uploadArticleImage(deps, request)),
  }),
  defineRoute({
    method: 'POST',
    path: '/media/video',
    operationId: 'convertVideo',
    tag: 'media',
    summary: 'Convert an uploaded video media_id into the one an mpvideo send takes',
    body: MediaVideoRequest,
    answers: { 200: MediaIdResponse },
    run: async (deps: MediaDeps, { body }) => ok(await convertVideo(deps, body)),
  }),
  ...materialRoutes,
  ...draftRoutes,
];
