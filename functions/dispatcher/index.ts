import { memoizeAsync } from '../../shared/runtime/memoize';
import { loadDispatcherDeps } from '../../shared/runtime/timer';
import { createDispatchHandler } from '../../shared/timer/dispatch-jobs';

const deps = memoizeAsync(() => loadDispatcherDeps(process.env));

export const main_handler = createDispatchHandler(deps);
