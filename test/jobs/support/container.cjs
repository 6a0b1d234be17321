// One cold SCF invocation of a built bundle in this process, for the job tests:
//   node container.cjs <bundle> <event JSON> <timeLimitMs>
// FAKE_NOW_OFFSET_MS shifts Date to the sandbox's clock (the sandbox runs in the test process
// with an advanced clock; this makes the function see the same time). KILL_AT="<log message>:<n>"
// kills the process with SIGKILL right after it logs that message for the n-th time, which is
// how the crash tests stop a dispatcher between two exact steps. The last line printed is
// `@@result {"result"|"error", "maxRssKb"}`.
'use strict';
const offset = Number(process.env.FAKE_NOW_OFFSET_MS ?? 0);
const RealDate = Date;
const realNow = RealDate.now.bind(RealDate);
class ShiftedDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(realNow() + offset);
    else super(...args);
  }
  static now() {
    return realNow() + offset;
  }
}
globalThis.Date = ShiftedDate;

const killAt = process.env.KILL_AT;
if (killAt) {
  const cut = killAt.lastIndexOf(':');
  const message = killAt.slice(0, cut);
  let remaining = Number(killAt.slice(cut + 1));
  const log = console.log.bind(console);
  console.log = (line, ...rest) => {
    log(line, ...rest);
    try {
      if (JSON.parse(line).message === message && --remaining === 0) process.kill(process.pid, 'SIGKILL');
    } catch {}
  };
}

const [bundle, eventJson, limitMs] = process.argv.slice(2);
const started = realNow();
const context = {
  request_id: `test-${started}`,
  time_limit_in_ms: Number(limitMs),
  getRemainingTimeInMillis: () => Number(limitMs) - (realNow() - started),
};
const { main_handler } = require(bundle);
main_handler(JSON.parse(eventJson), context).then(
  (result) => finish({ result }),
  (err) => finish({ error: err?.name ? err.name : 'Error' }),
);
function finish(outcome) {
  console.log(`@@result ${JSON.stringify({ ...outcome, maxRssKb: peakRssKiB() })}`);
}
// The process's own peak (VmHWM): ru_maxrss starts from the parent's size at fork (bench/peak-rss.ts).
function peakRssKiB() {
  try {
    return Number(/VmHWM:\s*(\d+)/.exec(require('node:fs').readFileSync('/proc/self/status', 'utf8'))[1]);
  } catch {
    return process.resourceUsage().maxRSS;
  }
}
