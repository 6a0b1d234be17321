import { callbackFunction } from '../../shared/runtime/callback';

// WeChat's developer URL: no API key here; every request is authenticated by its signature.
export const main_handler = callbackFunction(process.env);
