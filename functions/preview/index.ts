import { apiFunction } from '../../shared/http/api-function';
import { previewRoutes } from '../../shared/api/routes/preview';

export const main_handler = apiFunction(previewRoutes, process.env);
