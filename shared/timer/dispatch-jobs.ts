import * as z from 'zod/mini';
import { createLogger, type Logger } from '../log';
import { type DispatcherDeps, type DispatchSummary, runDispatcher } from '../jobs/dispatcher';

/** The job handed over through SCF's Invoke API (its ClientContext). */
const HandOffEvent = z.looseObject({ jobId: z.string().check(z.regex(/^job_[A-Za-z0-9_-]{1,64}$/)) });

export interface DispatchContext {
  getRemainingTimeInMillis?: () => number;
  /** The function's timeout, which SCF's context carries. */
  time_limit_in_ms?: number;
}

// Without either figure from the context, the dispatcher assumes the 90 s serverless.yml gives it.
const DEFAULT_LIMIT_MS = 90_000;

/**
 * The dispatcher function: fired every minute by its timer, and at once with `{jobId}` when
 * a job is started. Each run sends what is due and leaves the rest for the next one.
 */
export function createDispatchHandler(deps: () => DispatcherDeps | Promise<DispatcherDeps>) {
  return async function dispatch(event: unknown, context: DispatchContext = {}): Promise<DispatchSummary> {
    const started = Date.now();
    const remainingMs =
      typeof context.getRemainingTimeInMillis === 'function'
        ? () => context.getRemainingTimeInMillis!()
        : () => (context.time_limit_in_ms ?? DEFAULT_LIMIT_MS) - (Date.now() - started);
    let log: Logger = createLogger({ function: 'dispatcher' });
    try {
      const built = await deps();
      log = built.log;
      const handed = HandOffEvent.safeParse(event);
      return await runDispatcher(built, { remainingMs, ...(handed.success ? { jobId: handed.data.jobId } : {}) });
    } catch (err) {
      log.error('dispatcher run failed', { err });
      throw err;
    }
  };
}
