import { defineRoute, ok } from '../../http/route';
import { deleteMassMessage, type DeleteDeps } from '../delete';
import { DeleteRequest, DeleteResponse } from '../schemas';

/** The routes of the delete function. */
export const deleteRoutes = [
  defineRoute({
    method: 'POST',
    path: '/delete',
    operationId: 'deleteMessage',
    tag: 'delete',
    summary: 'Delete a sent mpnews or video by msgId (optionally one article) or article URL',
    body: DeleteRequest,
    answers: { 200: DeleteResponse },
    responses: { 404: 'WeChat errcode 40059: unknown msgId.' },
    run: async (deps: DeleteDeps, { body }) => ok(await deleteMassMessage(deps, body)),
  }),
];
