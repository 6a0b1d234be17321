import { cpus, freemem, loadavg, totalmem, arch, platform, release } from 'node:os';

export interface Machine {
  cpuModel: string;
  cpuCount: number;
  memoryGiB: number;
  freeMemoryGiB: number;
  loadAverage1m: number;
  os: string;
  node: string;
  date: string;
}

const GIB = 1024 ** 3;

export function describeMachine(now = new Date()): Machine {
  const list = cpus();
  return {
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cpuCount: list.length,
    memoryGiB: Math.round((totalmem() / GIB) * 10) / 10,
    freeMemoryGiB: Math.round((freemem() / GIB) * 10) / 10,
    loadAverage1m: Math.round((loadavg()[0] ?? 0) * 100) / 100,
    os: `${platform()} ${release()} ${arch()}`,
    node: process.version,
    date: now.toISOString(),
  };
}

/** One line for the table's heading and the README. */
export function machineLine(m: Machine): string {
  return (
    `${m.cpuCount} × ${m.cpuModel}, ${m.memoryGiB} GiB RAM, ${m.os}, Node ${m.node}, ` +
    `load average ${m.loadAverage1m} at start, ${m.date.slice(0, 16).replace('T', ' ')} UTC`
  );
}
