import { redact } from './redact';

export type LogFields = Record<string, unknown>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export type LogSink = (line: string) => void;

const OMITTED_ERROR_FIELDS = new Set(['cause', 'body', 'input']);

function describeError(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const { name, message } = err;
  // `input` is what node's URL parser (and others) failed on: a whole URL, password and all.
  const extra = Object.fromEntries(Object.entries(err).filter(([key]) => !OMITTED_ERROR_FIELDS.has(key)));
  return { name, message, ...extra, ...(err.cause ? { cause: describeError(err.cause) } : {}) };
}

/**
 * One JSON line per event, the shape SCF's log service indexes. Every line passes through
 * `redact`, so a secret that slips into a message or a field is scrubbed on the way out.
 */
export function createLogger(base: LogFields = {}, sink: LogSink = (line) => console.log(line)): Logger {
  const write = (level: string, message: string, fields?: LogFields) => {
    const record = { level, message, ...base, ...fields };
    if ('err' in record) record.err = describeError(record.err);
    sink(redact(JSON.stringify(record)));
  };
  return {
    info: (message, fields) => write('info', message, fields),
    warn: (message, fields) => write('warn', message, fields),
    error: (message, fields) => write('error', message, fields),
    child: (fields) => createLogger({ ...base, ...fields }, sink),
  };
}

export const silentLogger: Logger = {
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silentLogger,
};
