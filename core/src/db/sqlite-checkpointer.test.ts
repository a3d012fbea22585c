import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '@omni/plugin-sdk/testing';
import { createDatabase, type Database } from './create-database.js';
import { startSqliteCheckpointer } from './sqlite-checkpointer.js';

const logger = pino({ level: 'silent' });
const size = async (path: string) => (await stat(path).catch(() => ({ size: 0 }))).size;

describe('WAL checkpoints off the event loop (SQLite file databases)', () => {
  let dir: string;
  let db: Database | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'omni-checkpoint-'));
  });
  afterEach(async () => {
    await db?.close();
    db = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  const autocheckpoint = async (database: Database) => {
    const rows = await database.orm.em.getConnection().execute<Array<Record<string, number>>>('pragma wal_autocheckpoint');
    return Object.values(rows[0]!)[0];
  };

  it('turns the automatic checkpoint off on the hub connection, and the worker moves the WAL into the database file', async () => {
    const path = join(dir, 'omni.db');
    db = await createDatabase({ databaseUrl: `sqlite:${path}`, dataDir: dir, logger });
    expect(await autocheckpoint(db)).toBe(0);

    const connection = db.orm.em.getConnection();
    await connection.execute('create table filler (id integer primary key, body text)');
    const before = await size(path);
    for (let i = 0; i < 20; i++) await connection.execute(`insert into filler (body) values ('${'x'.repeat(64 * 1024)}')`);
    // The 1.3 MB just written sit in the WAL; only a checkpoint copies them into the database file.
    await waitFor('a checkpoint to reach the database file', async () => (await size(path)) > before + 1024 * 1024);
  });

  it('leaves SQLite checkpointing on commit for an in-memory database', async () => {
    db = await createDatabase({ databaseUrl: ':memory:', dataDir: dir, logger });
    expect(await autocheckpoint(db)).toBe(1000);
  });

  it('refuses to start when the worker cannot open the database, so the caller keeps the automatic checkpoint', async () => {
    await expect(startSqliteCheckpointer({ path: join(dir, 'missing-dir', 'omni.db'), logger, onFallback: () => undefined })).rejects.toThrow();
  });

  it('stops after one last checkpoint, and stopping twice is harmless', async () => {
    const checkpointer = await startSqliteCheckpointer({ path: join(dir, 'x.db'), logger, intervalMs: 50, onFallback: () => undefined });
    expect(checkpointer.autocheckpointPages()).toBe(0);
    await checkpointer.stop();
    await checkpointer.stop();
  });
});
