import { apiFunction } from '../../shared/http/api-function';
import { deleteRoutes } from '../../shared/api/routes/delete';

export const main_handler = apiFunction(deleteRoutes, process.env);
