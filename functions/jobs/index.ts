import { apiFunction } from '../../shared/http/api-function';
import { jobsRoutes } from '../../shared/api/routes/jobs';

export const main_handler = apiFunction(jobsRoutes, process.env);
