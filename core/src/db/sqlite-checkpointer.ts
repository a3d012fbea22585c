import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from '@omni/plugin-sdk';

/**
 * WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside whichever COMMIT
 * pushes the WAL past `wal_autocheckpoint` pages, on the committing thread: copying the WAL back
 * into the database file and the fsync that follows then stall the hub's one event loop for
 * milliseconds (the pipeline benchmark's p99 at concurrency 1 fell from 15–18 ms to ~10 ms
 * without them). Here a worker thread with its own connection runs PASSIVE checkpoints (which
 * never block writers) every `intervalMs`, and the hub's connections turn the automatic
 * checkpoint off while it runs. If the worker fails, the hub's connections get the automatic
 * checkpoint back, so the WAL never grows unchecked.
 */
export interface SqliteCheckpointer {
  /** The `wal_autocheckpoint` value the hub's connections should use now (0 while the worker runs). */
  autocheckpointPages(): number;
  /** Stops the worker after one last checkpoint. */
  stop(): Promise<void>;
}

export interface SqliteCheckpointerOptions {
  path: string;
  logger: Logger;
  /** Default 1000 ms. */
  intervalMs?: number;
  /** Called when the worker failed and the automatic checkpoint must come back on the live connection. */
  onFallback(pages: number): void;
}

/** SQLite's default `wal_autocheckpoint`. */
export const SQLITE_DEFAULT_AUTOCHECKPOINT = 1000;

// Plain CommonJS run with `eval: true`: no file to resolve, so it works from sources, the build and tests alike.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.libsql);
const db = new Database(workerData.path);
db.exec('pragma busy_timeout = 1000');
const checkpoint = db.prepare('pragma wal_checkpoint(PASSIVE)');
const run = () => {
  try { checkpoint.all([]); } catch (err) { parentPort.postMessage({ error: String(err && err.message || err) }); }
};
const timer = setInterval(run, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  run();
  db.close();
  parentPort.postMessage({ stopped: true });
});
parentPort.postMessage({ ready: true });
`;

export async function startSqliteCheckpointer(options: SqliteCheckpointerOptions): Promise<SqliteCheckpointer> {
  const libsql = createRequire(import.meta.url).resolve('libsql');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { path: options.path, libsql, intervalMs: options.intervalMs ?? 1000 },
    // A connection and a timer: a small heap is plenty.
    resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
  });
  let pages = 0;
  let stopping = false;
  const fallBack = (reason: string) => {
    if (pages !== 0 || stopping) return;
    pages = SQLITE_DEFAULT_AUTOCHECKPOINT;
    options.logger.warn({ reason }, 'the WAL checkpoint worker stopped; SQLite checkpoints on commit again');
    options.onFallback(pages);
  };
  let reportedError = false;
  worker.on('message', (message: { error?: string }) => {
    // A checkpoint that fails once (the disk, a lock) is retried on the next tick; say so once.
    if (message.error && !reportedError) {
      reportedError = true;
      options.logger.warn({ error: message.error }, 'a WAL checkpoint failed; it is retried every interval');
    }
  });
  worker.on('error', (err) => fallBack(err.message));
  worker.on('exit', (code) => fallBack(`exited with code ${code}`));
  await new Promise<void>((resolve, reject) => {
    const onMessage = (message: { ready?: boolean }) => {
      if (!message.ready) return;
      worker.off('message', onMessage).off('error', reject);
      resolve();
    };
    worker.on('message', onMessage).once('error', reject);
  });
  worker.unref();
  return {
    autocheckpointPages: () => pages,
    stop: async () => {
      if (stopping) return;
      stopping = true;
      const stopped = new Promise<void>((resolve) => {
        worker.on('message', (message: { stopped?: boolean }) => message.stopped && resolve());
        worker.once('exit', () => resolve());
      });
      worker.postMessage('stop');
      await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
      await worker.terminate();
    },
  };
}
