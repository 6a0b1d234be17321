import { apiFunction } from '../../shared/http/api-function';
import { createSendByListHandler } from './handler';

export const main_handler = apiFunction(createSendByListHandler, process.env);
