import { authenticate } from '../../shared/http/auth';
import type { ApiHandler } from '../../shared/http/api-gateway';
import { HttpError } from '../../shared/http/http-error';
import { readJsonBody } from '../../shared/http/json-body';
import { convertVideo, uploadArticleImage, uploadNewsArticles } from '../../shared/api/media';
import { pathEndsWith, requireMethod } from '../../shared/api/route';
import { MediaNewsRequest, MediaVideoRequest } from '../../shared/api/schemas';
import type { ApiDeps } from '../../shared/runtime';

/** POST /media/news, /media/image, /media/video: the uploads an mpnews or video send needs first. */
export function createMediaHandler(deps: ApiDeps): ApiHandler {
  return async (request) => {
    authenticate(request, deps.apiKeys);
    if (pathEndsWith(request, '/media/news')) {
      requireMethod(request, 'POST');
      return { status: 200, body: await uploadNewsArticles(deps, readJsonBody(request, MediaNewsRequest)) };
    }
    if (pathEndsWith(request, '/media/video')) {
      requireMethod(request, 'POST');
      return { status: 200, body: await convertVideo(deps, readJsonBody(request, MediaVideoRequest)) };
    }
    if (pathEndsWith(request, '/media/image')) {
      requireMethod(request, 'POST');
      return { status: 200, body: await uploadArticleImage(deps, request) };
    }
    throw new HttpError(404, 'not_found', 'no such route; use /media/news, /media/image or /media/video');
  };
}
