import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import type { Db } from './db.js';
import * as m001 from './migrations/001_initial.js';
import * as m002 from './migrations/002_outbox.js';
import * as m003 from './migrations/003_correlation.js';
import * as m004 from './migrations/004_ingest.js';
import * as m005 from './migrations/005_channel_keys.js';
import * as m006 from './migrations/006_media.js';
import * as m007 from './migrations/007_chat_state_labels.js';
import * as m009 from './migrations/009_poll_votes.js';
import * as m010 from './migrations/010_templates_proxy.js';
import * as m012 from './migrations/012_channel_inbox.js';
import * as m013 from './migrations/013_transports.js';
import * as m014 from './migrations/014_chatbots.js';
import * as m015 from './migrations/015_chatwoot.js';

/** Every migration, in order. The same list runs on SQLite, PostgreSQL and MySQL; each receives the provider for the few type differences. */
const MIGRATIONS = { '001_initial': m001, '002_outbox': m002, '003_correlation': m003, '004_ingest': m004, '005_channel_keys': m005, '006_media': m006, '007_chat_state_labels': m007, '009_poll_votes': m009, '010_templates_proxy': m010, '012_channel_inbox': m012, '013_transports': m013, '014_chatbots': m014, '015_chatwoot': m015 } as const;

class StaticProvider implements MigrationProvider {
  constructor(private readonly db: Db) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    const out: Record<string, Migration> = {};
    for (const [name, mod] of Object.entries(MIGRATIONS)) out[name] = { up: (k) => mod.up(k, this.db.provider) };
    return out;
  }
}

export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({ db: db.kysely, provider: new StaticProvider(db), migrationTableName: 'gateway_migrations', migrationLockTableName: 'gateway_migrations_lock', allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Every migration's name, in the order they run. */
export const MIGRATION_NAMES: readonly string[] = Object.keys(MIGRATIONS);
export const LATEST_MIGRATION = MIGRATION_NAMES.at(-1)!;
