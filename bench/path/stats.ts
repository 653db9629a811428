import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { percentile } from '../load.js';

export interface Spread {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;

/** p50/p95/p99/max of a list of milliseconds (sorted in place). */
export function spread(ms: number[]): Spread {
  ms.sort((a, b) => a - b);
  return { p50: round(percentile(ms, 50)), p95: round(percentile(ms, 95)), p99: round(percentile(ms, 99)), max: round(ms.at(-1) ?? 0) };
}

export const perSecond = (count: number, ms: number): number => (ms > 0 ? Math.round((count / ms) * 1000) : 0);

export const ratio = (value: number, floor: number): number => (floor > 0 ? round(value / floor, 3) : 0);

let ticks: number | undefined;
function clockTicks(): number {
  if (ticks === undefined) {
    try {
      ticks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

/** CPU time (utime + stime) in microseconds of a process (every thread), or of one thread with `tid`, from /proc. */
export function cpuMicros(pid: number, tid?: number): number {
  const stat = readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'utf8');
  // Field 2 (comm) may contain spaces: count from the closing parenthesis; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / clockTicks();
}
