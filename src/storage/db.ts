import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, MysqlDialect, PostgresDialect, SqliteDialect, sql, type Dialect, type SqliteDatabase } from 'kysely';
import type { Database } from './schema.js';
import { SqliteCheckpointer } from './sqliteCheckpointer.js';
import { SqliteThreadDialect } from './sqliteThread.js';
import { withTimeout } from '../timeout.js';

export type Provider = 'sqlite' | 'postgresql' | 'mysql';

export interface Db {
  kysely: Kysely<Database>;
  provider: Provider;
  /** Connection pool use, where the driver pools (PostgreSQL). */
  poolStats(): { total: number; idle: number; waiting: number } | undefined;
  close(): Promise<void>;
}

export interface DbOptions {
  /** Called after every query with its SQL and duration (metrics). */
  onQuery?: (sql: string, ms: number) => void;
  /** Errors of idle pooled connections (database restarted, network cut): reported, never fatal. */
  onPoolError?: (err: Error) => void;
  /** SQLite: run the statements on a thread of their own (`true`), or on the calling thread (default). */
  sqliteThread?: boolean;
}

/** Opens the one Kysely instance the gateway uses, for SQLite (embedded default), PostgreSQL or MySQL/MariaDB. */
export async function openDatabase(provider: Provider, uri: string, options: DbOptions = {}): Promise<Db> {
  let pgPool: { totalCount: number; idleCount: number; waitingCount: number } | undefined;
  let checkpointer: SqliteCheckpointer | undefined;
  let walFile: string | undefined;
  const dialect = await createDialect(provider, uri, {
    exposePool: (pool) => (pgPool = pool),
    onPoolError: options.onPoolError ?? (() => undefined),
    checkpointer: (file) => (walFile = file),
    sqliteThread: options.sqliteThread ?? false,
  });
  const { onQuery } = options;
  const kysely = new Kysely<Database>({ dialect, ...(onQuery ? { log: (e) => onQuery(e.query.sql, e.queryDurationMillis) } : {}) });
  if (walFile) {
    await sql`select 1`.execute(kysely);
    checkpointer = new SqliteCheckpointer(walFile);
  }
  return {
    kysely,
    provider,
    poolStats: () => (pgPool ? { total: pgPool.totalCount, idle: pgPool.idleCount, waiting: pgPool.waitingCount } : undefined),
    close: async () => {
      await checkpointer?.close();
      await kysely.destroy();
    },
  };
}

type PgPoolLike = { totalCount: number; idleCount: number; waitingCount: number };

interface DialectHooks {
  exposePool: (pool: PgPoolLike) => void;
  onPoolError: (err: Error) => void;
  /** The SQLite file to checkpoint (not for :memory:). */
  checkpointer: (file: string) => void;
  sqliteThread: boolean;
}

async function createDialect(provider: Provider, uri: string, { exposePool, onPoolError, checkpointer, sqliteThread }: DialectHooks): Promise<Dialect> {
  if (provider === 'sqlite') {
    const file = uri.replace(/^(sqlite|file):(\/\/)?/, '');
    const memory = file === ':memory:';
    if (!memory) mkdirSync(dirname(file), { recursive: true });
    const pragmas = ['journal_mode = WAL', 'synchronous = NORMAL', 'foreign_keys = ON', 'busy_timeout = 5000', ...(memory ? [] : ['wal_autocheckpoint = 0'])];
    // The checkpointer starts once the database is open (in WAL mode): see openDatabase.
    if (!memory) checkpointer(file);
    if (sqliteThread) return new SqliteThreadDialect({ file, pragmas });
    const { default: SQLite } = await import('better-sqlite3');
    const database = new SQLite(file);
    for (const p of pragmas) database.pragma(p);
    return new SqliteDialect({ database: withStatementCache(database) });
  }
  if (provider === 'postgresql') {
    const pg = await import('pg');
    // int8 and numeric come back as strings by default; our counts and timestamps fit in a double.
    pg.default.types.setTypeParser(20, (v: string) => Number(v));
    pg.default.types.setTypeParser(1700, (v: string) => Number(v));
    // A connection attempt to an unreachable server fails after 5 s instead of hanging the queued work.
    const pool = new pg.default.Pool({ connectionString: uri, max: 10, connectionTimeoutMillis: 5000 });
    // Without a listener, an idle client losing its connection emits an unhandled 'error' and kills the process.
    pool.on('error', onPoolError);
    pool.on('connect', (client) => client.on('error', onPoolError));
    exposePool(pool);
    return new PostgresDialect({ pool });
  }
  const mysql = await import('mysql2');
  return new MysqlDialect({
    pool: mysql.createPool({ uri, connectionLimit: 10, connectTimeout: 5000, supportBigNumbers: true, bigNumberStrings: false, decimalNumbers: true }),
  });
}

/**
 * Kysely prepares every query it runs on SQLite; parsing the statement can cost more than running it (the outbox's
 * multi-row inserts and IN lists have hundreds of parameters). Statements are reused by their SQL text (the queries
 * are synchronous and never streamed, so one statement is never busy twice at the same time). Bounded, oldest out.
 */
function withStatementCache(database: import('better-sqlite3').Database, max = 2000): SqliteDatabase {
  const cache = new Map<string, ReturnType<SqliteDatabase['prepare']>>();
  return {
    close: () => database.close(),
    prepare(sql) {
      let stmt = cache.get(sql);
      if (stmt) return stmt;
      stmt = database.prepare(sql);
      if (cache.size >= max) cache.delete(cache.keys().next().value!);
      cache.set(sql, stmt);
      return stmt;
    },
  };
}

/** Cheap reachability probe; with `timeoutMs`, a database that does not answer in time counts as unreachable. */
export async function ping(db: Db, timeoutMs?: number): Promise<void> {
  const probe = sql`select 1`.execute(db.kysely);
  await (timeoutMs ? withTimeout(probe, timeoutMs, 'database ping timed out') : probe);
}

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'PROTOCOL_CONNECTION_LOST', 'ER_CON_COUNT_ERROR', '57P01', '57P02', '57P03', '53300']);
const UNREACHABLE_TEXT = /connection terminated|timeout exceeded when trying to connect|connection (is )?closed|pool is closed|cannot enqueue|server closed the connection|connect etimedout|database ping timed out/i;

/** Whether an error means the database could not be reached (as opposed to a statement it refused). */
export function isDatabaseUnreachable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  if (typeof e.code === 'string' && (UNREACHABLE_CODES.has(e.code) || e.code.startsWith('08'))) return true;
  return typeof e.message === 'string' && UNREACHABLE_TEXT.test(e.message);
}
