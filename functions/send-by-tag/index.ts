import { apiFunction } from '../../shared/http/api-function';
import { createSendByTagHandler } from './handler';

export const main_handler = apiFunction(createSendByTagHandler, process.env);
