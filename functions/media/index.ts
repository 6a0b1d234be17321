import { apiFunction } from '../../shared/http/api-function';
import { mediaRoutes } from '../../shared/api/routes/media';

export const main_handler = apiFunction(mediaRoutes, process.env);
