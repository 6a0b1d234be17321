import { defineRoute, ok } from '../../http/route';
import { preview, type PreviewDeps } from '../preview';
import { PreviewRequest, PreviewResponse } from '../schemas';

/** The routes of the preview function. */
export const previewRoutes = [
  defineRoute({
    method: 'POST',
    path: '/preview',
    operationId: 'preview',
    tag: 'preview',
    summary: 'Send the message to one OpenID or WeChat ID to check it (100 a day)',
    body: PreviewRequest,
    answers: { 200: PreviewResponse },
    run: async (deps: PreviewDeps, { body }) => ok(await preview(deps, body)),
  }),
];
