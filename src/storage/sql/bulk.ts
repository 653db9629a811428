import { CompiledQuery } from 'kysely';
import type { Provider } from '../db.js';

/** A multi-row INSERT with a conflict clause, as one SQL text per (statement, row count), built once and reused. */
export interface BulkInsertSpec {
  table: string;
  columns: readonly string[];
  /** SQLite/PostgreSQL: the conflict target and what to do; MySQL: its ON DUPLICATE KEY UPDATE list. */
  onConflict?: { target: readonly string[]; update?: (d: DialectSql) => string; where?: (d: DialectSql) => string; mysqlUpdate: (d: DialectSql) => string };
  returning?: readonly string[];
}

/** Dialect spelling the conflict clauses are written with. */
export interface DialectSql {
  /** A quoted identifier. */
  id(name: string): string;
  /** The existing row's column (table-qualified) in an upsert. */
  old(column: string): string;
  /** The proposed row's column: excluded.x, or VALUES(x) on MySQL. */
  neu(column: string): string;
  /** NULL-safe "differs". */
  distinct(a: string, b: string): string;
}

export function dialectSql(provider: Provider, table: string): DialectSql {
  const q = provider === 'mysql' ? (n: string) => `\`${n}\`` : (n: string) => `"${n}"`;
  return {
    id: q,
    old: (c) => `${q(table)}.${q(c)}`,
    neu: (c) => (provider === 'mysql' ? `VALUES(${q(c)})` : `excluded.${q(c)}`),
    distinct: (a, b) => (provider === 'postgresql' ? `${a} IS DISTINCT FROM ${b}` : provider === 'sqlite' ? `${a} IS NOT ${b}` : `NOT (${a} <=> ${b})`),
  };
}

/** Builds and caches the SQL of a statement for each row count; parameters go in row-major order. */
export class BulkInsert {
  private readonly texts = new Map<number, string>();
  private readonly d: DialectSql;

  constructor(private readonly provider: Provider, private readonly spec: BulkInsertSpec) {
    this.d = dialectSql(provider, spec.table);
  }

  /** Returning columns are only asked where the database has RETURNING (not MySQL). */
  get returns(): boolean {
    return !!this.spec.returning && this.provider !== 'mysql';
  }

  compile(rows: ReadonlyArray<readonly unknown[]>): CompiledQuery {
    return CompiledQuery.raw(this.text(rows.length), rows.flat() as unknown[]);
  }

  private text(n: number): string {
    let text = this.texts.get(n);
    if (text) return text;
    const { spec, d, provider } = this;
    const width = spec.columns.length;
    let p = 0;
    const placeholder = provider === 'postgresql' ? () => `$${++p}` : () => '?';
    const tuples = Array.from({ length: n }, () => `(${Array.from({ length: width }, placeholder).join(',')})`).join(',');
    text = `INSERT INTO ${d.id(spec.table)} (${spec.columns.map(d.id).join(',')}) VALUES ${tuples}`;
    const c = spec.onConflict;
    if (c && provider === 'mysql') text += ` ON DUPLICATE KEY UPDATE ${c.mysqlUpdate(d)}`;
    else if (c) text += ` ON CONFLICT (${c.target.map(d.id).join(',')}) ${c.update ? `DO UPDATE SET ${c.update(d)}${c.where ? ` WHERE ${c.where(d)}` : ''}` : 'DO NOTHING'}`;
    if (this.returns) text += ` RETURNING ${spec.returning!.map(d.id).join(',')}`;
    if (this.texts.size > 256) this.texts.clear();
    this.texts.set(n, text);
    return text;
  }
}

/** Splits rows into chunks that stay under every database's parameter limit. */
export function chunks<T>(rows: T[], width: number, maxParams = 4000): T[][] {
  const size = Math.max(1, Math.floor(maxParams / width));
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}
