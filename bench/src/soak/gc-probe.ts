/**
 * Preloaded into the hub by `npm run bench:soak` only. On SIGUSR2 it runs two full GCs and writes
 * the process's memory to OMNI_BENCH_PROBE_FILE (then renames it into place, so a reader never sees
 * half a file). Needs `--expose-gc`.
 */
import { renameSync, writeFileSync } from 'node:fs';

const file = process.env.OMNI_BENCH_PROBE_FILE;
if (!file) throw new Error('gc-probe needs OMNI_BENCH_PROBE_FILE');
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('gc-probe needs node --expose-gc');

const MB = 1024 * 1024;
process.on('SIGUSR2', () => {
  gc();
  gc();
  const m = process.memoryUsage();
  const round = (n: number) => Math.round((n / MB) * 10) / 10;
  writeFileSync(`${file}.tmp`, JSON.stringify({ at: Date.now(), rssMb: round(m.rss), heapUsedMb: round(m.heapUsed), heapTotalMb: round(m.heapTotal), externalMb: round(m.external) }));
  renameSync(`${file}.tmp`, file);
});
