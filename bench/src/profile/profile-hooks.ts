/**
 * Preloaded into the hub by `npm run profile -w @omni/bench` only (never by `npm run bench`).
 * SIGUSR2 opens a measurement window: the V8 CPU profiler starts and every SQL statement is
 * counted by template, with the time until its result (on SQLite that time blocks the event loop:
 * the libsql driver is synchronous). The next SIGUSR2 closes it and writes, to OMNI_BENCH_PROFILE_DIR,
 * `window-<n>.cpuprofile`, `window-<n>.sql.json` and then `window-<n>.done` (and, when it opens,
 * `window-<n>.memory.json`: the hub's memory after the warm-up).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { getHeapSpaceStatistics } from 'node:v8';
import { sqlTemplate } from './sql-template.js';

const dir = process.env.OMNI_BENCH_PROFILE_DIR;
if (!dir) throw new Error('profile-hooks needs OMNI_BENCH_PROFILE_DIR');
mkdirSync(dir, { recursive: true });

// Every statement, on both dialects (BEGIN/COMMIT included), ends in the knex dialect's `_query`:
// MikroORM's own patch of knex's Client#query skips Client#query for statements without bindings.
const require = createRequire(import.meta.url);
const mikroKnexDir = dirname(require.resolve('@mikro-orm/knex'));
type Dialect = { prototype: { _query(connection: unknown, query: { sql?: string }): unknown } };
const dialects: Dialect[] = [
  require(join(mikroKnexDir, 'dialects/sqlite/LibSqlKnexDialect.js')).LibSqlKnexDialect,
  require(join(dirname(require.resolve('knex')), 'lib/dialects/postgres/index.js')),
];
const templates = new Map<string, { count: number; ms: number; prepareMs: number }>();
let counting = false;
let total = 0;
/** The statement `_query` is running (SQLite: prepared synchronously inside it). */
let current: { prepareMs: number } | undefined;
for (const dialect of dialects) {
  const original = dialect.prototype._query;
  dialect.prototype._query = function (this: unknown, connection: unknown, query: { sql?: string }) {
    if (!counting) return original.call(this, connection, query);
    const key = sqlTemplate(String(query?.sql ?? ''));
    const entry = templates.get(key) ?? { count: 0, ms: 0, prepareMs: 0 };
    templates.set(key, entry);
    entry.count++;
    total++;
    const started = performance.now();
    const done = () => void (entry.ms += performance.now() - started);
    current = entry;
    const result = original.call(this, connection, query);
    current = undefined;
    if (result instanceof Promise) result.then(done, done);
    else done();
    return result;
  };
}
// SQLite: time `prepare` apart from running the statement (libsql prepares every statement anew).
type RawSqlite = { prepare(sql: string): unknown };
const libsqlDialect = dialects[0] as unknown as { prototype: { acquireRawConnection(): Promise<RawSqlite> } };
const acquire = libsqlDialect.prototype.acquireRawConnection;
libsqlDialect.prototype.acquireRawConnection = async function (this: unknown) {
  const connection = await acquire.call(this);
  const prepare = connection.prepare.bind(connection);
  connection.prepare = (sql: string) => {
    const entry = current;
    const started = performance.now();
    try {
      return prepare(sql);
    } finally {
      if (entry) entry.prepareMs += performance.now() - started;
    }
  };
  return connection;
};

const session = new Session();
session.connect();
let window = 0;
let open = false;

async function toggle(): Promise<void> {
  if (!open) {
    open = true;
    templates.clear();
    total = 0;
    counting = true;
    const mb = (n: number) => Math.round((n / 2 ** 20) * 10) / 10;
    const memory = () => Object.fromEntries(Object.entries(process.memoryUsage()).map(([k, v]) => [k, mb(v)]));
    const before = memory();
    // With --expose-gc (the profile run sets it): what is live, not just not yet collected.
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const heapSpaces = Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, mb(s.space_used_size)]));
    writeFileSync(join(dir!, `window-${window}.memory.json`), JSON.stringify({ memoryUsageMb: before, ...(gc ? { afterFullGcMb: memory() } : {}), heapSpaceUsedMb: heapSpaces }));
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 250 });
    await session.post('Profiler.start');
    writeFileSync(join(dir!, `window-${window}.started`), '');
    return;
  }
  const { profile } = await session.post('Profiler.stop');
  counting = false;
  open = false;
  writeFileSync(join(dir!, `window-${window}.cpuprofile`), JSON.stringify(profile));
  writeFileSync(join(dir!, `window-${window}.sql.json`), JSON.stringify({ total, templates: [...templates].map(([sql, t]) => ({ sql, count: t.count, ms: Math.round(t.ms * 10) / 10, prepareMs: Math.round(t.prepareMs * 10) / 10 })).sort((a, b) => b.count - a.count) }));
  writeFileSync(join(dir!, `window-${window}.done`), '');
  window++;
}

process.on('SIGUSR2', () => {
  toggle().catch((err: unknown) => console.error('profile toggle failed', err));
});
