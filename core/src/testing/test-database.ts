import { tmpdir } from 'node:os';
import { pino } from 'pino';
import { createDatabase, type Database } from '../db/create-database.js';
import { createScratchPostgres } from '../db/scratch-postgres.js';
import { isPostgresUrl, SQLITE_MEMORY, type Dialect } from '../db/storage.js';

export interface TestDatabaseOptions {
  /** Apply the migrations. Default true. */
  migrate?: boolean;
}

/**
 * A `Database` on a fresh, private store: SQLite in memory, or for `postgresql` a new database
 * on the server of `DATABASE_URL`, dropped again by `close()`.
 */
export async function createTestDatabase(dialect: Dialect, options: TestDatabaseOptions = {}): Promise<Database> {
  const settings = { dataDir: tmpdir(), logger: pino({ level: 'silent' }), migrate: options.migrate ?? true };
  if (dialect === 'sqlite') return createDatabase({ ...settings, databaseUrl: SQLITE_MEMORY });

  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl || !isPostgresUrl(serverUrl)) {
    throw new Error('createTestDatabase("postgresql") needs DATABASE_URL=postgres://… (e.g. postgres://postgres@127.0.0.1:5432/postgres)');
  }
  const scratch = await createScratchPostgres(serverUrl);
  try {
    const db = await createDatabase({ ...settings, databaseUrl: scratch.url });
    return {
      ...db,
      close: async () => {
        try {
          await db.close();
        } finally {
          await scratch.drop();
        }
      },
    };
  } catch (err) {
    await scratch.drop();
    throw err;
  }
}
