import { apiFunction } from '../../shared/http/api-function';
import { sendByTagRoutes } from '../../shared/api/routes/send-by-tag';

export const main_handler = apiFunction(sendByTagRoutes, process.env);
