import { apiFunction } from '../../shared/http/api-function';
import { createDeleteHandler } from './handler';

export const main_handler = apiFunction(createDeleteHandler, process.env);
