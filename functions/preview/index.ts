import { apiFunction } from '../../shared/http/api-function';
import { createPreviewHandler } from './handler';

export const main_handler = apiFunction(createPreviewHandler, process.env);
