import type { ApiDeps } from '../runtime/api';
import type { Route } from '../http/route';
import { deleteRoutes } from './routes/delete';
import { jobsRoutes } from './routes/jobs';
import { mediaRoutes } from './routes/media';
import { previewRoutes } from './routes/preview';
import { sendByListRoutes } from './routes/send-by-list';
import { sendByTagRoutes } from './routes/send-by-tag';
import { speedRoutes } from './routes/speed';
import { statusRoutes } from './routes/status';

/**
 * The route table: every HTTP API function and the routes it serves, each route one
 * defineRoute declaration in shared/api/routes/<function>.ts.
 *
 * - A new route of an existing function: one more defineRoute in that function's file. Its
 *   entry point, the OpenAPI document and this table pick it up.
 * - A new function: shared/api/routes/<name>.ts, one line here, functions/<name>/index.ts
 *   (`apiFunction(nameRoutes, process.env)`) and its entry in serverless.yml.
 *
 * Entry points import their own file, not this one, so a bundle holds only its own services.
 */
export const API_FUNCTIONS = {
  'send-by-tag': sendByTagRoutes,
  'send-by-list': sendByListRoutes,
  preview: previewRoutes,
  delete: deleteRoutes,
  status: statusRoutes,
  speed: speedRoutes,
  media: mediaRoutes,
  jobs: jobsRoutes,
} satisfies Record<string, readonly Route<ApiDeps>[]>;

export type ApiFunctionName = keyof typeof API_FUNCTIONS;

/** Every route with the function that serves it, in table order. */
export const API_ROUTES: ReadonlyArray<{ functionName: ApiFunctionName; route: Route<ApiDeps> }> = Object.entries(
  API_FUNCTIONS,
).flatMap(([functionName, routes]) =>
  routes.map((route) => ({ functionName: functionName as ApiFunctionName, route })),
);
