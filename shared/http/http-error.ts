import type { FieldProblem } from '../validation';

/** An answer at our own HTTP boundary. 4xx messages are shown to the caller; nothing else is. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly fields?: FieldProblem[];
  readonly headers?: Record<string, string>;
  readonly details?: Record<string, unknown>;

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    extra: {
      fields?: FieldProblem[];
      headers?: Record<string, string>;
      details?: Record<string, unknown>;
      cause?: unknown;
    } = {},
  ) {
    super(message, { cause: extra.cause });
    this.fields = extra.fields;
    this.headers = extra.headers;
    this.details = extra.details;
  }
}
