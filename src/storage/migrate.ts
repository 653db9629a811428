import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import type { Db } from './db.js';
import * as m001 from './migrations/001_initial.js';
import * as m002 from './migrations/002_outbox.js';
import * as m003 from './migrations/003_correlation.js';
import * as m004 from './migrations/004_ingest.js';
import * as m005 from './migrations/005_channel_keys.js';

/** Every migration, in order. The same list runs on SQLite, PostgreSQL and MySQL; each receives the provider for the few type differences. */
const MIGRATIONS = { '001_initial': m001, '002_outbox': m002, '003_correlation': m003, '004_ingest': m004, '005_channel_keys': m005 } as const;

class StaticProvider implements MigrationProvider {
  constructor(private readonly db: Db) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    const out: Record<string, Migration> = {};
    for (const [name, mod] of Object.entries(MIGRATIONS)) out[name] = { up: (k) => mod.up(k, this.db.provider) };
    return out;
  }
}

export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({ db: db.kysely, provider: new StaticProvider(db), migrationTableName: 'gateway_migrations', migrationLockTableName: 'gateway_migrations_lock' });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

export const LATEST_MIGRATION = Object.keys(MIGRATIONS).at(-1)!;
