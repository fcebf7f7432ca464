/**
 * CPU time (user + system) of the calling thread, for diagnostics and benchmarks: `process.cpuUsage()`
 * counts every thread of the process, so it cannot tell the store worker's share from its caller's.
 * Linux only (/proc/thread-self/stat, in clock ticks of 10 ms); null elsewhere.
 */
import { readFileSync } from 'node:fs';

const MS_PER_TICK = 10; // USER_HZ is 100 on every Linux Node supports

export function threadCpuMs(): number | null {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'latin1');
    // Fields after the command name (which may contain spaces and parentheses): state is field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime (field 14) + stime (field 15)
    return Number.isFinite(ticks) ? ticks * MS_PER_TICK : null;
  } catch {
    return null;
  }
}
