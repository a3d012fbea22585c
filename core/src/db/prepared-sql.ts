import type { AbstractSqlConnection } from '@mikro-orm/knex';
import type { Database } from './create-database.js';
import type { Dialect } from './storage.js';

/**
 * One hot-path statement: a stable name (PostgreSQL prepares it once per connection under this
 * name) and its SQL with `?` placeholders, written to run on both dialects.
 */
export interface SqlStatement {
  readonly name: string;
  readonly sql: string;
}

/**
 * Prepared statements on the ORM's own connections, for the few statements every message runs
 * (event rows, claim, sender lookup). MikroORM builds, inlines and re-prepares every statement
 * it runs, which cost ~40 % of the hub's CPU per message; here each statement is prepared once per
 * connection (libsql `prepare`, pg named statements) and run with bound values. The connection is
 * taken from and given back to the ORM's knex pool, so these statements queue behind an open ORM
 * transaction exactly as ORM statements do (one SQLite connection; PostgreSQL's small pool).
 * On SQLite, statements asked for together are committed together (see `sqliteRunner`).
 * Everything else (schema, migrations, cold paths) stays on MikroORM.
 */
export interface PreparedSql {
  readonly dialect: Dialect;
  /** Runs a write; resolves to the number of rows it changed. Dates are bound as the ORM stores them (SQLite: epoch ms); JSON goes as text. */
  run(statement: SqlStatement, params: readonly unknown[]): Promise<number>;
  /** Runs a query (or a write with RETURNING); resolves to its rows, keyed by column name. */
  all<T = Record<string, unknown>>(statement: SqlStatement, params: readonly unknown[]): Promise<T[]>;
}

/** The database's prepared-statement runner (one per database, made on first use). */
export function preparedSqlOf(db: Database): PreparedSql {
  let runner = runners.get(db.orm);
  if (!runner) {
    runner = db.dialect === 'postgresql' ? postgresRunner(knexClientOf(db)) : sqliteRunner(knexClientOf(db));
    runners.set(db.orm, runner);
  }
  return runner;
}

/** A date column as read: epoch ms (SQLite) or timestamptz text (PostgreSQL: MikroORM has pg keep dates as text). */
export function dateColumn(value: unknown): Date;
export function dateColumn(value: unknown, nullable: true): Date | null;
export function dateColumn(value: unknown, _nullable?: true): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  return typeof value === 'string' && !/^\d+$/.test(value) ? new Date(value) : new Date(Number(value));
}

/** A JSON column as read: text (SQLite) or already parsed (PostgreSQL). */
export const jsonColumn = <T>(value: unknown): T => (typeof value === 'string' ? (JSON.parse(value) as T) : (value as T));

const runners = new WeakMap<object, PreparedSql>();

interface KnexPoolClient {
  acquireConnection(): Promise<unknown>;
  releaseConnection(connection: unknown): Promise<void>;
}

function knexClientOf(db: Database): KnexPoolClient {
  return (db.orm.em.getConnection() as AbstractSqlConnection).getKnex().client as KnexPoolClient;
}

/** libsql's better-sqlite3-style API: synchronous. */
interface SqliteStatement {
  run(params: unknown[]): { changes: number };
  all(params: unknown[]): unknown[];
}
interface SqliteConnection {
  prepare(sql: string): SqliteStatement;
  readonly inTransaction: boolean;
}

const bindable = (params: readonly unknown[]): unknown[] => params.map((p) => (p === undefined ? null : p instanceof Date ? p.getTime() : p));

const BEGIN: SqlStatement = { name: 'begin', sql: 'begin' };
const COMMIT: SqlStatement = { name: 'commit', sql: 'commit' };
const ROLLBACK: SqlStatement = { name: 'rollback', sql: 'rollback' };

interface Queued {
  statement: SqlStatement;
  params: unknown[];
  rows: boolean;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

/**
 * SQLite with group commit: the statements asked for within one turn of the event loop run
 * together in one transaction (one WAL commit instead of one per statement), and each promise
 * settles only after that COMMIT, so "stored" still means committed. A statement that fails
 * alone (a constraint) fails alone; a failed COMMIT fails them all. Order is kept.
 */
function sqliteRunner(client: KnexPoolClient): PreparedSql {
  // Keyed by connection: the libsql dialect replaces file connections older than 10 s.
  const prepared = new WeakMap<object, Map<string, SqliteStatement>>();
  const statementOn = (connection: SqliteConnection, statement: SqlStatement): SqliteStatement => {
    let byName = prepared.get(connection);
    if (!byName) prepared.set(connection, (byName = new Map()));
    let stmt = byName.get(statement.name);
    if (!stmt) byName.set(statement.name, (stmt = connection.prepare(statement.sql)));
    return stmt;
  };
  const execute = (connection: SqliteConnection, q: Queued): unknown => {
    const stmt = statementOn(connection, q.statement);
    return q.rows ? stmt.all(q.params) : stmt.run(q.params).changes;
  };

  let queue: Queued[] = [];
  let scheduled = false;
  const flush = async (): Promise<void> => {
    scheduled = false;
    const batch = queue;
    queue = [];
    let connection: SqliteConnection;
    try {
      connection = (await client.acquireConnection()) as SqliteConnection;
    } catch (err) {
      for (const q of batch) q.reject(err);
      return;
    }
    try {
      if (batch.length === 1) return settle(batch[0]!, () => execute(connection, batch[0]!));
      statementOn(connection, BEGIN).run([]);
      const outcomes = batch.map((q) => {
        // An error that ended the transaction (I/O, full disk) fails the rest unrun.
        if (!connection.inTransaction) return { err: new Error('the batch transaction was rolled back') };
        try {
          return { value: execute(connection, q) };
        } catch (err) {
          return { err };
        }
      });
      try {
        if (connection.inTransaction) statementOn(connection, COMMIT).run([]);
      } catch (err) {
        if (connection.inTransaction) statementOn(connection, ROLLBACK).run([]);
        for (const q of batch) q.reject(err);
        return;
      }
      batch.forEach((q, i) => {
        const outcome = outcomes[i]!;
        if ('err' in outcome) q.reject(outcome.err);
        else q.resolve(outcome.value);
      });
    } catch (err) {
      // BEGIN failed (or the single statement threw inside settle's caller): nothing ran.
      for (const q of batch) q.reject(err);
    } finally {
      void client.releaseConnection(connection);
    }
  };
  const enqueue = (statement: SqlStatement, params: readonly unknown[], rows: boolean) =>
    new Promise<unknown>((resolve, reject) => {
      queue.push({ statement, params: bindable(params), rows, resolve, reject });
      if (!scheduled) {
        scheduled = true;
        setImmediate(() => void flush());
      }
    });
  return {
    dialect: 'sqlite',
    run: async (statement, params) => (await enqueue(statement, params, false)) as number,
    all: async <T>(statement: SqlStatement, params: readonly unknown[]) => (await enqueue(statement, params, true)) as T[],
  };
}

function settle(q: Queued, fn: () => unknown): void {
  try {
    q.resolve(fn());
  } catch (err) {
    q.reject(err);
  }
}

interface PgConnection {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rowCount: number | null; rows: unknown[] }>;
}

/** `?` → `$1, $2, …` (the statements here have no `?` inside string literals). */
const numbered = (sql: string): string => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};

function postgresRunner(client: KnexPoolClient): PreparedSql {
  const texts = new Map<string, string>();
  const textOf = (statement: SqlStatement): string => {
    let text = texts.get(statement.name);
    if (text === undefined) texts.set(statement.name, (text = numbered(statement.sql)));
    return text;
  };
  const query = async (statement: SqlStatement, params: readonly unknown[]) => {
    const connection = (await client.acquireConnection()) as PgConnection;
    try {
      return await connection.query({ name: `omni_${statement.name}`, text: textOf(statement), values: params.map((p) => (p === undefined ? null : p)) });
    } finally {
      void client.releaseConnection(connection);
    }
  };
  return {
    dialect: 'postgresql',
    run: async (statement, params) => (await query(statement, params)).rowCount ?? 0,
    all: async <T>(statement: SqlStatement, params: readonly unknown[]) => (await query(statement, params)).rows as T[],
  };
}
