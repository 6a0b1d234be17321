import { readFileSync } from 'node:fs';

/**
 * A process's own peak resident set, in KiB, as JavaScript source for the child processes the
 * bench starts. Not process.resourceUsage().maxRSS: on Linux a child's ru_maxrss starts from its
 * parent's resident set at fork and survives execve (getrusage(2): "the child inherits it"), so a
 * fresh node started by the bench, whose own process holds 60+ MiB, reported the bench's size
 * and not its own. /proc/self/status's VmHWM is the high-water mark of the process's own memory
 * map, which execve replaces; other systems fall back to maxRSS.
 */
export const PEAK_RSS_KIB =
  "(()=>{try{return Number(/VmHWM:\\s*(\\d+)/.exec(require('fs').readFileSync('/proc/self/status','utf8'))[1])}" +
  'catch{return process.resourceUsage().maxRSS}})()';

/** The same, measured in the calling process. */
export function peakRssKiB(): number {
  try {
    return Number(/VmHWM:\s*(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]);
  } catch {
    return process.resourceUsage().maxRSS;
  }
}
