import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { median } from './stats.js';
import { sleep } from './processes.js';

const MB = 1024 * 1024;

/** Resident set size of a process, in MB (Linux: /proc; elsewhere: ps). NaN when it is gone. */
export function rssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1]);
    return (kb * 1024) / MB;
  } catch {
    try {
      return (Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).trim()) * 1024) / MB;
    } catch {
      return Number.NaN;
    }
  }
}

/** The median of `samples` readings `intervalMs` apart: an idle figure that one GC does not move. */
export async function idleRssMb(pid: number, samples = 5, intervalMs = 300): Promise<{ median: number; samples: number[] }> {
  const readings: number[] = [];
  for (let i = 0; i < samples; i++) {
    if (i > 0) await sleep(intervalMs);
    readings.push(round1(rssMb(pid)));
  }
  return { median: median(readings), samples: readings };
}

/** Samples a process's RSS every `intervalMs` while a run goes on; `stop()` gives the peak. */
export function sampleRss(pid: number, intervalMs = 100): { stop(): { peakMb: number; lastMb: number } } {
  let peak = rssMb(pid);
  let last = peak;
  const timer = setInterval(() => {
    last = rssMb(pid);
    if (last > peak) peak = last;
  }, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      last = rssMb(pid);
      return { peakMb: round1(Math.max(peak, last)), lastMb: round1(last) };
    },
  };
}

export const round1 = (n: number) => Math.round(n * 10) / 10;
