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

// Every statement is counted where it reaches the driver, so MikroORM's statements and the hub's
// own prepared statements (core/src/db/prepared-sql.ts) are counted alike: each run of a libsql
// statement (`run`/`get`/`all`; `all` iterates internally and is counted once) and each pg
// `Client#query` (knex calls it with a callback, the prepared path awaits its promise).
const require = createRequire(import.meta.url);
const templates = new Map<string, { count: number; ms: number; prepareMs: number }>();
let counting = false;
let total = 0;
const entryOf = (sql: string) => {
  const key = sqlTemplate(sql);
  let entry = templates.get(key);
  if (!entry) templates.set(key, (entry = { count: 0, ms: 0, prepareMs: 0 }));
  return entry;
};

type Runner = (...args: unknown[]) => unknown;
type RawStatement = Record<'run' | 'get' | 'all', Runner>;
const libsql = require(require.resolve('libsql', { paths: [dirname(require.resolve('@mikro-orm/knex'))] })) as { prototype: { prepare(sql: string): RawStatement } };
const prepare = libsql.prototype.prepare;
libsql.prototype.prepare = function (this: unknown, sql: string) {
  const started = performance.now();
  const statement = prepare.call(this, sql);
  // SQLite: time `prepare` apart from running the statement (MikroORM prepares every statement anew).
  if (counting) entryOf(sql).prepareMs += performance.now() - started;
  for (const method of ['run', 'get', 'all'] as const) {
    const original = statement[method].bind(statement);
    statement[method] = (...args: unknown[]) => {
      if (!counting) return original(...args);
      const entry = entryOf(sql);
      entry.count++;
      total++;
      const began = performance.now();
      try {
        return original(...args);
      } finally {
        entry.ms += performance.now() - began;
      }
    };
  }
  return statement;
};

type PgQuery = (this: unknown, config: unknown, values?: unknown, callback?: unknown) => unknown;
const pg = require(require.resolve('pg', { paths: [dirname(require.resolve('knex'))] })) as { Client: { prototype: { query: PgQuery } } };
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: unknown, config: unknown, values?: unknown, callback?: unknown) {
  if (!counting) return query.call(this, config, values, callback);
  const text = typeof config === 'string' ? config : String((config as { text?: string })?.text ?? '');
  const entry = entryOf(text);
  entry.count++;
  total++;
  const started = performance.now();
  const done = () => void (entry.ms += performance.now() - started);
  const cb = typeof values === 'function' ? values : typeof callback === 'function' ? callback : undefined;
  if (cb) {
    const wrapped = (...args: unknown[]) => (done(), (cb as Runner)(...args));
    return typeof values === 'function' ? query.call(this, config, wrapped) : query.call(this, config, values, wrapped);
  }
  const result = query.call(this, config, values, callback);
  if (result instanceof Promise) result.then(done, done);
  else done();
  return result;
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
