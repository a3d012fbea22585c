import { randomBytes } from 'node:crypto';
import { knex, type Knex } from '@mikro-orm/knex';

export interface ScratchPostgres {
  /** Connection URL of the new, empty database. */
  readonly url: string;
  /** Ends every connection to the database and drops it. */
  drop(): Promise<void>;
}

/**
 * Creates a uniquely named, empty database (`omni_test_<random>`) on the server of `serverUrl`,
 * through a maintenance connection to its `postgres` database.
 */
export async function createScratchPostgres(serverUrl: string): Promise<ScratchPostgres> {
  const name = `omni_test_${randomBytes(6).toString('hex')}`;
  await withMaintenanceConnection(serverUrl, (admin) => admin.raw('create database ??', [name]));
  return {
    url: withDatabase(serverUrl, name),
    drop: () =>
      withMaintenanceConnection(serverUrl, async (admin) => {
        await admin.raw('select pg_terminate_backend(pid) from pg_stat_activity where datname = ? and pid <> pg_backend_pid()', [name]);
        await admin.raw('drop database if exists ??', [name]);
      }),
  };
}

async function withMaintenanceConnection(serverUrl: string, run: (admin: Knex) => Promise<unknown>): Promise<void> {
  const admin = knex({ client: 'pg', connection: withDatabase(serverUrl, 'postgres'), pool: { min: 0, max: 1 } });
  try {
    await run(admin);
  } finally {
    await admin.destroy();
  }
}

function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}
