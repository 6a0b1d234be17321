import { apiFunction } from '../../shared/http/api-function';
import { speedRoutes } from '../../shared/api/routes/speed';

export const main_handler = apiFunction(speedRoutes, process.env);
