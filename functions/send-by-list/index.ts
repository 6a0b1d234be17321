import { apiFunction } from '../../shared/http/api-function';
import { sendByListRoutes } from '../../shared/api/routes/send-by-list';

export const main_handler = apiFunction(sendByListRoutes, process.env);
