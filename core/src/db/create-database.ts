import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { MikroORM, type Options } from '@mikro-orm/core';
import type { AbstractSqlDriver, EntityManager } from '@mikro-orm/knex';
import { Migrator } from '@mikro-orm/migrations';
import type { Logger } from '@omni/plugin-sdk';
import { entities } from './entities/index.js';
import { migrationsByDialect } from './migrations/index.js';
import { SQLITE_DEFAULT_AUTOCHECKPOINT, startSqliteCheckpointer, type SqliteCheckpointer } from './sqlite-checkpointer.js';
import { resolveStorage, SQLITE_MEMORY, type Dialect, type StorageTarget } from './storage.js';

export interface CreateDatabaseOptions {
  /** `postgres://…`/`postgresql://…`, `sqlite:<path>` or `:memory:`; unset: SQLite at `<dataDir>/omni.db`. */
  databaseUrl?: string;
  /** PostgreSQL: connections kept at most (default 10). SQLite always uses one. */
  poolSize?: number;
  dataDir: string;
  logger: Logger;
  /** Log every query (at debug level). */
  debug?: boolean;
  /** Apply pending migrations before returning. Default true. */
  migrate?: boolean;
}

export interface DatabaseHealth {
  ok: boolean;
  latencyMs: number;
  error?: string;
}

export type Orm = MikroORM<AbstractSqlDriver, EntityManager>;

export interface Database {
  readonly orm: Orm;
  readonly dialect: Dialect;
  /** A fresh EntityManager for one unit of work. Never share one across requests. */
  fork(): EntityManager;
  health(): Promise<DatabaseHealth>;
  close(): Promise<void>;
}

const SQLITE_BUSY_TIMEOUT_MS = 5_000;
const DEFAULT_PG_POOL_SIZE = 10;
/** The WAL file is cut back to this size when a checkpoint lets SQLite start it over. */
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

export async function createDatabase(options: CreateDatabaseOptions): Promise<Database> {
  const storage = resolveStorage(options.databaseUrl, options.dataDir);
  const logger = options.logger.child({ component: 'db', dialect: storage.dialect });
  if (storage.dialect === 'sqlite' && storage.path !== SQLITE_MEMORY) {
    await mkdir(dirname(storage.path), { recursive: true });
  }

  const where = describeStorage(storage);
  // Read by every new SQLite connection: 0 while the checkpoint worker runs (see sqlite-checkpointer.ts).
  const wal = { autocheckpoint: SQLITE_DEFAULT_AUTOCHECKPOINT };
  const orm = await MikroORM.init<AbstractSqlDriver, EntityManager>({
    ...(await driverOptions(storage, wal, options.poolSize ?? DEFAULT_PG_POOL_SIZE)),
    entities,
    extensions: [Migrator],
    // The migrator's own logging and schema snapshots are off: we log applied migrations ourselves.
    migrations: { migrationsList: migrationsByDialect[storage.dialect], snapshot: false, silent: true },
    // MikroORM only writes when debug is on (queries, discovery), and then at our debug level.
    debug: options.debug ?? false,
    logger: (message) => logger.debug(message),
    colors: false,
  }).catch((err: unknown) => {
    throw new Error(`Cannot open the ${storage.dialect} database at ${where}: ${errorMessage(err)}`, { cause: err });
  });

  if (options.migrate ?? true) {
    try {
      const applied = await orm.migrator.up();
      if (applied.length > 0) logger.info({ migrations: applied.map((m) => m.name) }, 'applied database migrations');
    } catch (err) {
      await orm.close(true);
      throw new Error(`Migrating the ${storage.dialect} database at ${where} failed: ${errorMessage(err)}`, { cause: err });
    }
  }

  const checkpointer = storage.dialect === 'sqlite' && storage.path !== SQLITE_MEMORY ? await checkpointOffLoop(orm, storage.path, wal, logger) : undefined;

  return {
    orm,
    dialect: storage.dialect,
    fork: () => orm.em.fork(),
    health: () => checkHealth(orm),
    close: async () => {
      await checkpointer?.stop();
      await orm.close(true);
    },
  };
}

/** Starts the WAL checkpoint worker and turns the automatic checkpoint off; without the worker, SQLite keeps checkpointing on commit. */
async function checkpointOffLoop(orm: Orm, path: string, wal: { autocheckpoint: number }, logger: Logger): Promise<SqliteCheckpointer | undefined> {
  const setPages = (pages: number) => orm.em.getConnection().execute(`pragma wal_autocheckpoint = ${pages}`);
  try {
    const checkpointer = await startSqliteCheckpointer({
      path,
      logger,
      onFallback: (pages) => {
        wal.autocheckpoint = pages;
        setPages(pages).catch((err: unknown) => logger.warn({ error: errorMessage(err) }, 'could not turn the automatic WAL checkpoint back on'));
      },
    });
    wal.autocheckpoint = checkpointer.autocheckpointPages();
    await setPages(wal.autocheckpoint);
    return checkpointer;
  } catch (err) {
    logger.warn({ error: errorMessage(err) }, 'no WAL checkpoint worker; SQLite checkpoints on commit');
    return undefined;
  }
}

async function driverOptions(storage: StorageTarget, wal: { autocheckpoint: number }, poolSize: number): Promise<Options<AbstractSqlDriver, EntityManager>> {
  if (storage.dialect === 'postgresql') {
    const { PostgreSqlDriver } = await import('@mikro-orm/postgresql');
    // Every message runs ~8 statements, one round trip each, from eight routers, the ingress and the
    // sender at once: with 4 connections the pool was the cap (services bench, c=20: 147 -> 226 msg/s with 12).
    return { driver: PostgreSqlDriver, clientUrl: storage.url, pool: { min: 0, max: poolSize } };
  }
  const { LibSqlDriver } = await import('@mikro-orm/libsql');
  return {
    driver: LibSqlDriver,
    dbName: storage.path,
    pool: {
      // One connection: SQLite serialises writers anyway, and each `:memory:` connection is its own database.
      min: 1,
      max: 1,
      // Per-connection settings. The libsql dialect replaces file connections older than 10 s, so they must
      // be applied to every new connection, not once after connecting (which is all MikroORM does).
      // WAL with synchronous=NORMAL: a commit survives the process crashing (it is in the WAL); only a
      // power loss can roll back the last commits. FULL would fsync every commit (~1 ms each here).
      afterCreate: (conn: { exec(sql: string): void }, done: (err: unknown, conn: unknown) => void) => {
        try {
          conn.exec(
            `pragma journal_mode = WAL; pragma synchronous = NORMAL; pragma busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}; pragma foreign_keys = on; ` +
              `pragma wal_autocheckpoint = ${wal.autocheckpoint}; pragma journal_size_limit = ${WAL_SIZE_LIMIT_BYTES};`,
          );
          done(null, conn);
        } catch (err) {
          done(err, conn);
        }
      },
    },
  };
}

async function checkHealth(orm: Orm): Promise<DatabaseHealth> {
  const started = performance.now();
  const latency = () => Math.round((performance.now() - started) * 100) / 100;
  try {
    await orm.em.getConnection().execute('select 1');
    return { ok: true, latencyMs: latency() };
  } catch (err) {
    return { ok: false, latencyMs: latency(), error: errorMessage(err) };
  }
}

/** For messages: the file, or host and database without credentials. */
function describeStorage(storage: StorageTarget): string {
  if (storage.dialect === 'sqlite') return storage.path;
  if (!URL.canParse(storage.url)) return 'the configured URL';
  const url = new URL(storage.url);
  return `${url.host}${url.pathname}`;
}

const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err));
