import { memoize } from '../../shared/runtime/memoize';
import { buildDispatcherDeps } from '../../shared/runtime/timer';
import { createDispatchHandler } from '../../shared/timer/dispatch-jobs';

const deps = memoize(() => buildDispatcherDeps(process.env));

export const main_handler = createDispatchHandler(deps);
