import { apiFunction } from '../../shared/http/api-function';
import { statusRoutes } from '../../shared/api/routes/status';

export const main_handler = apiFunction(statusRoutes, process.env);
