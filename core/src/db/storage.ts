import { join, resolve } from 'node:path';

export type Dialect = 'sqlite' | 'postgresql';

/** Where the data lives. `path` is absolute, or `:memory:`. */
export type StorageTarget = { dialect: 'postgresql'; url: string } | { dialect: 'sqlite'; path: string };

export const SQLITE_MEMORY = ':memory:';

export const isPostgresUrl = (url: string): boolean => /^postgres(ql)?:\/\//i.test(url);

/**
 * Reads a database URL: `postgres://…` or `postgresql://…`; `sqlite:<path>`; `:memory:`;
 * none for the default SQLite file `<dataDir>/omni.db`.
 */
export function resolveStorage(databaseUrl: string | undefined, dataDir: string): StorageTarget {
  if (!databaseUrl) return { dialect: 'sqlite', path: join(resolve(dataDir), 'omni.db') };
  if (isPostgresUrl(databaseUrl)) return { dialect: 'postgresql', url: databaseUrl };
  if (databaseUrl === SQLITE_MEMORY) return { dialect: 'sqlite', path: SQLITE_MEMORY };
  if (databaseUrl.startsWith('sqlite:')) {
    const path = databaseUrl.slice('sqlite:'.length);
    if (!path) throw new Error('Database URL "sqlite:" needs a path, e.g. "sqlite:./data/omni.db"');
    return { dialect: 'sqlite', path: path === SQLITE_MEMORY ? path : resolve(path) };
  }
  // Only the scheme is echoed: the rest may hold credentials.
  const scheme = databaseUrl.split(':', 1)[0];
  throw new Error(
    `Unsupported database URL scheme "${scheme}:": use postgres://…, postgresql://…, sqlite:<path> or :memory:`,
  );
}
