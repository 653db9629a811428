import { sql, type Kysely } from 'kysely';
import type { Provider } from '../db.js';

/** Column types and table options that differ between the three databases; every migration builds with these. */
export function dialectHelpers(db: Kysely<any>, provider: Provider) {
  return {
    json: provider === 'mysql' ? sql`longtext` : sql`text`,
    bool: sql`smallint`,
    stamp: 'varchar(32)' as const,
    /** Auto-increment bigint primary key. */
    serial: provider === 'postgresql' ? sql`bigserial` : provider === 'mysql' ? sql`bigint` : sql`integer`,
    // MySQL tables take the database's charset and collation unless told: utf8mb4 for emoji, binary collation so names and ids
    // compare exactly as on SQLite and PostgreSQL (a *_ci collation would make "Shop" equal "shop").
    table: (name: string) => (provider === 'mysql' ? db.schema.createTable(name).modifyEnd(sql`character set utf8mb4 collate utf8mb4_bin`) : db.schema.createTable(name)),
  };
}
