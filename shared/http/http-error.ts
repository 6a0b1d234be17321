import type { FieldProblem } from '../validation';

type Digit = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;
type AsNumber<T> = T extends `${infer N extends number}` ? N : never;

/**
 * 400 to 599. A success or an outcome (200 sent, 202 awaiting confirmation) is an answer, not an
 * error, so an HttpError cannot carry one.
 */
export type ErrorStatus = AsNumber<`${4 | 5}${Digit}${Digit}`>;

/** An answer at our own HTTP boundary. 4xx messages are shown to the caller; nothing else is. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly fields?: FieldProblem[];
  readonly headers?: Record<string, string>;
  readonly details?: Record<string, unknown>;

  constructor(
    readonly status: ErrorStatus,
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
