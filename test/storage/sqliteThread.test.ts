import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openDatabase, type Db } from '../../src/storage/db.js';
import { migrateToLatest } from '../../src/storage/migrate.js';

/** The SQLite thread driver (DATABASE_SQLITE_THREAD) against the in-thread one: same answers, errors, transactions. */
describe('SQLite on its own thread', () => {
  const open: Db[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const db of open.splice(0)) await db.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const fresh = async (sqliteThread: boolean) => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-sqlite-thread-'));
    dirs.push(dir);
    const db = await openDatabase('sqlite', join(dir, 'db.sqlite'), { sqliteThread });
    open.push(db);
    await migrateToLatest(db);
    return db;
  };

  it('answers rows, affected rows and insert ids as the in-thread driver does', async () => {
    const seen = [];
    for (const threaded of [true, false]) {
      const db = await fresh(threaded);
      const insert = await db.kysely.insertInto('outboxPartitions').values({ partition: -5, owner: 'a', leaseUntil: 1 }).executeTakeFirst();
      const update = await db.kysely.updateTable('outboxPartitions').set({ leaseUntil: 2 }).where('partition', '<', 3).executeTakeFirst();
      const rows = await db.kysely.selectFrom('outboxPartitions').select(['partition', 'owner', 'leaseUntil']).where('partition', '<', 2).orderBy('partition').execute();
      const journal = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(db.kysely);
      seen.push({ insertId: insert.insertId, updated: update.numUpdatedRows, rows, journal: journal.rows });
    }
    expect(seen[0]).toEqual(seen[1]);
    expect(seen[0]!.updated).toBe(4n);
    expect(seen[0]!.journal).toEqual([{ journal_mode: 'wal' }]);
  });

  it('rejects a failing statement with the SQLite error code, and goes on', async () => {
    const db = await fresh(true);
    const err = await db.kysely.insertInto('outboxPartitions').values({ partition: 0, owner: null, leaseUntil: 0 }).execute().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ code: 'SQLITE_CONSTRAINT_PRIMARYKEY' });
    expect((err as Error).message).toMatch(/UNIQUE constraint failed/);
    await expect(db.kysely.selectFrom('outboxPartitions').select('partition').where('partition', '=', 0).execute()).resolves.toHaveLength(1);
  });

  it('rolls a failed transaction back and commits a good one, one transaction at a time', async () => {
    const db = await fresh(true);
    const failing = db.kysely.transaction().execute(async (tx) => {
      await tx.insertInto('outboxPartitions').values({ partition: -10, owner: 'x', leaseUntil: 0 }).execute();
      await new Promise((r) => setTimeout(r, 20));
      throw new Error('abort');
    });
    // Queued behind the open transaction (one connection, one user), not inside it.
    const other = db.kysely.insertInto('outboxPartitions').values({ partition: -11, owner: 'y', leaseUntil: 0 }).execute();
    await expect(failing).rejects.toThrow('abort');
    await other;
    const rows = await db.kysely.selectFrom('outboxPartitions').select('partition').where('partition', '<', 0).execute();
    expect(rows.map((r) => r.partition)).toEqual([-11]);
  });

  it('keeps committed rows across a close and reopen', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-sqlite-thread-'));
    dirs.push(dir);
    const file = join(dir, 'db.sqlite');
    const a = await openDatabase('sqlite', file, { sqliteThread: true });
    await migrateToLatest(a);
    await a.kysely.insertInto('outboxPartitions').values({ partition: -7, owner: 'z', leaseUntil: 0 }).execute();
    await a.close();
    const b = await openDatabase('sqlite', file, { sqliteThread: true });
    open.push(b);
    await expect(b.kysely.selectFrom('outboxPartitions').select('owner').where('partition', '=', -7).executeTakeFirst()).resolves.toEqual({ owner: 'z' });
  });
});
