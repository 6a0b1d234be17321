import { apiFunction } from '../../shared/http/api-function';
import { createMediaHandler } from './handler';

export const main_handler = apiFunction(createMediaHandler, process.env);
