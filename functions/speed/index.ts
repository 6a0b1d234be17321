import { apiFunction } from '../../shared/http/api-function';
import { createSpeedHandler } from './handler';

export const main_handler = apiFunction(createSpeedHandler, process.env);
