import { apiFunction } from '../../shared/http/api-function';
import { createStatusHandler } from './handler';

export const main_handler = apiFunction(createStatusHandler, process.env);
