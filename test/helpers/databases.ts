import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Provider } from '../../src/storage/db.js';

/** Admin connection strings of the local services (override with TEST_PG_URL / TEST_MYSQL_URL). */
export const PG_ADMIN = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const MYSQL_ADMIN = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/mysql';

export interface TestDatabase {
  provider: Provider;
  uri: string;
  drop(): Promise<void>;
}

async function reachable(provider: Provider): Promise<boolean> {
  try {
    if (provider === 'postgresql') {
      const pg = await import('pg');
      const c = new pg.default.Client({ connectionString: PG_ADMIN, connectionTimeoutMillis: 2000 });
      await c.connect();
      await c.end();
    } else if (provider === 'mysql') {
      const mysql = await import('mysql2/promise');
      const c = await mysql.createConnection({ uri: MYSQL_ADMIN, connectTimeout: 2000 });
      await c.end();
    }
    return true;
  } catch {
    return false;
  }
}

/**
 * Which databases the storage suites run on. SQLite always; PostgreSQL and MySQL when reachable.
 * With CI=true an unreachable server is an error (the suite fails), never a silent skip.
 */
export async function availableProviders(): Promise<{ run: Provider[]; skipped: Provider[] }> {
  const run: Provider[] = ['sqlite'];
  const skipped: Provider[] = [];
  for (const p of ['postgresql', 'mysql'] as Provider[]) {
    if (await reachable(p)) run.push(p);
    else if (process.env.CI === 'true') throw new Error(`${p} is not reachable and CI=true: the storage tests must run on it`);
    else skipped.push(p);
  }
  return { run, skipped };
}

/** A fresh, empty database of this provider, dropped afterwards. */
export async function createTestDatabase(provider: Provider): Promise<TestDatabase> {
  const name = `gw_test_${randomBytes(5).toString('hex')}`;
  if (provider === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'gw-db-'));
    return { provider, uri: join(dir, 'test.db'), drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  if (provider === 'postgresql') {
    const pg = await import('pg');
    const admin = async (sql: string) => {
      const c = new pg.default.Client({ connectionString: PG_ADMIN });
      await c.connect();
      try {
        await c.query(sql);
      } finally {
        await c.end();
      }
    };
    await admin(`CREATE DATABASE ${name}`);
    const url = new URL(PG_ADMIN);
    url.pathname = `/${name}`;
    return { provider, uri: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
  }
  const mysql = await import('mysql2/promise');
  const admin = async (sql: string) => {
    const c = await mysql.createConnection({ uri: MYSQL_ADMIN });
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await admin(`CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  const url = new URL(MYSQL_ADMIN);
  url.pathname = `/${name}`;
  return { provider, uri: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name}`) };
}
