import { describe, it, expect } from 'vitest';
import { DummyDriver, Kysely, MysqlAdapter, MysqlIntrospector, MysqlQueryCompiler, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler } from 'kysely';
import { up } from '../../src/storage/migrations/001_initial.js';
import type { Provider } from '../../src/storage/db.js';

/** The DDL the first migration sends to each database, compiled without a server. */
async function ddl(provider: Provider): Promise<string[]> {
  const [Adapter, Compiler, Introspector] =
    provider === 'mysql' ? [MysqlAdapter, MysqlQueryCompiler, MysqlIntrospector] : provider === 'postgresql' ? [PostgresAdapter, PostgresQueryCompiler, PostgresIntrospector] : [SqliteAdapter, SqliteQueryCompiler, SqliteIntrospector];
  const out: string[] = [];
  const k = new Kysely<any>({
    dialect: { createAdapter: () => new Adapter(), createDriver: () => new DummyDriver(), createIntrospector: (db) => new Introspector(db), createQueryCompiler: () => new Compiler() },
    log: (e) => void out.push(e.query.sql),
  });
  await up(k, provider);
  await k.destroy();
  return out;
}

describe.each(['sqlite', 'postgresql', 'mysql'] as Provider[])('001_initial DDL for %s', (provider) => {
  it('declares foreign keys as table constraints (MySQL silently ignores inline column REFERENCES)', async () => {
    const statements = (await ddl(provider)).filter((s) => s.startsWith('create table'));
    expect(statements).toHaveLength(8);
    let fks = 0;
    for (const s of statements) {
      // every "references" must belong to a "foreign key (...) references" clause
      const refs = s.match(/references/g)?.length ?? 0;
      const tableLevel = s.match(/foreign key \([^)]*\) references [^,)]+\([^)]*\) on delete cascade/g)?.length ?? 0;
      expect(refs, s).toBe(tableLevel);
      fks += tableLevel;
    }
    expect(fks).toBe(8);
  });

  it('uses longtext for JSON columns on MySQL only (a 64 KB text would truncate large messages)', async () => {
    const messages = (await ddl(provider)).find((s) => s.startsWith('create table `messages`') || s.startsWith('create table "messages"'))!;
    expect(messages).toBeDefined();
    if (provider === 'mysql') expect(messages).toMatch(/`message` longtext not null/);
    else expect(messages).toMatch(/"message" text not null/);
  });
});
