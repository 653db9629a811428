import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import {
  CompiledQuery,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
} from 'kysely';

/**
 * SQLite (better-sqlite3) on a thread of its own, behind Kysely. better-sqlite3 runs every statement synchronously on
 * the calling thread: on the main thread, the inserts and commits of the ingest path took about a third of the event
 * loop that also parses HTTP and hands out webhooks. Here the main thread only posts the SQL and its parameters and
 * awaits the answer; the same single connection, the same statements, the same transactions (Kysely's driver contract:
 * one connection, held by one user at a time), so durability and ordering are those of the in-thread driver.
 * Statements are prepared once per SQL text in the thread (bounded, oldest out).
 */
export interface SqliteThreadOptions {
  file: string;
  /** PRAGMA statements run once at open, in order (journal mode, synchronous, ...). */
  pragmas: string[];
  /** Most prepared statements kept. */
  statementCache?: number;
}

/** The thread: a CommonJS script (no loader needed under tsx, vitest or the build). */
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file);
for (const p of workerData.pragmas) db.pragma(p);
const cache = new Map();
const prepare = (sql) => {
  let stmt = cache.get(sql);
  if (stmt) return stmt;
  stmt = db.prepare(sql);
  if (cache.size >= workerData.statementCache) cache.delete(cache.keys().next().value);
  cache.set(sql, stmt);
  return stmt;
};
const params = (list) => list.map((v) => (v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v));
parentPort.on('message', (m) => {
  if (m === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  const [id, sql, list] = m;
  try {
    const stmt = prepare(sql);
    const values = params(list);
    if (stmt.reader) parentPort.postMessage([id, stmt.all(values)]);
    else {
      const r = stmt.run(values);
      parentPort.postMessage([id, null, Number(r.changes), Number(r.lastInsertRowid)]);
    }
  } catch (e) {
    parentPort.postMessage([id, null, 0, 0, { name: e && e.name, message: String(e && e.message), code: e && e.code }]);
  }
});
parentPort.postMessage('ready');
`;

type Answer = [id: number, rows: unknown[] | null, changes?: number, lastInsertRowid?: number, error?: { name?: string; message: string; code?: string }];

interface Waiting {
  resolve: (r: QueryResult<unknown>) => void;
  reject: (e: unknown) => void;
}

/** An error of the thread's statement, as better-sqlite3 would have thrown it (name, message, code). */
function threadError(e: NonNullable<Answer[4]>): Error {
  const err = new Error(e.message) as Error & { code?: string };
  if (e.name) err.name = e.name;
  if (e.code) err.code = e.code;
  return err;
}

class SqliteThread {
  private worker?: Worker;
  private ready?: Promise<void>;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  /** The thread answered its start (a query can be posted at once). */
  private started = false;

  constructor(private readonly o: SqliteThreadOptions) {}

  /** Starts the thread (again, after it died: its uncommitted transaction is gone with its connection). */
  start(): Promise<void> {
    if (this.ready) return this.ready;
    const worker = new Worker(THREAD, {
      eval: true,
      name: 'sqlite',
      workerData: { module: createRequire(import.meta.url).resolve('better-sqlite3'), file: this.o.file, pragmas: this.o.pragmas, statementCache: this.o.statementCache ?? 2000 },
    });
    this.worker = worker;
    this.ready = new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
    });
    // Like an idle database handle, an idle thread does not keep the process alive; its start and a query in flight do.
    worker.on('message', (m: Answer | 'ready') => {
      if (m === 'ready') {
        this.started = true;
        if (!this.waiting.size) worker.unref();
        return;
      }
      const w = this.waiting.get(m[0]);
      if (!w) return;
      this.waiting.delete(m[0]);
      if (!this.waiting.size) worker.unref();
      if (m[4]) w.reject(threadError(m[4]));
      else if (m[1]) w.resolve({ rows: m[1] });
      else w.resolve({ rows: [], numAffectedRows: BigInt(m[2] ?? 0), insertId: BigInt(m[3] ?? 0) });
    });
    worker.on('error', () => undefined);
    worker.on('exit', (code) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.ready = undefined;
      this.started = false;
      const lost = [...this.waiting.values()];
      this.waiting.clear();
      for (const w of lost) w.reject(new Error(`sqlite thread exited (code ${code})`));
    });
    return this.ready;
  }

  async execute(sql: string, parameters: readonly unknown[]): Promise<QueryResult<unknown>> {
    if (!this.started) await this.start();
    const id = this.nextId++;
    const worker = this.worker!;
    return new Promise((resolve, reject) => {
      if (!this.waiting.size) worker.ref();
      this.waiting.set(id, { resolve, reject });
      worker.postMessage([id, sql, parameters]);
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    this.ready = undefined;
    this.started = false;
    const exited = new Promise<void>((r) => worker.once('exit', () => r()));
    worker.postMessage('close');
    const timer = setTimeout(() => void worker.terminate(), 5000);
    await exited;
    clearTimeout(timer);
  }
}

class ThreadConnection implements DatabaseConnection {
  constructor(private readonly thread: SqliteThread) {}

  executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
    return this.thread.execute(q.sql, q.parameters) as Promise<QueryResult<R>>;
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('the SQLite thread driver does not stream queries');
  }
}

/** One connection, one user at a time (as Kysely's own SQLite driver). */
class ThreadDriver implements Driver {
  private readonly thread: SqliteThread;
  private readonly connection: ThreadConnection;
  private lock: Promise<void> = Promise.resolve();
  private unlock?: () => void;

  constructor(options: SqliteThreadOptions) {
    this.thread = new SqliteThread(options);
    this.connection = new ThreadConnection(this.thread);
  }

  async init(): Promise<void> {
    await this.thread.start();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const previous = this.lock;
    let release!: () => void;
    this.lock = new Promise<void>((r) => (release = r));
    await previous;
    this.unlock = release;
    return this.connection;
  }

  async releaseConnection(): Promise<void> {
    const release = this.unlock;
    this.unlock = undefined;
    release?.();
  }

  async beginTransaction(c: DatabaseConnection): Promise<void> {
    await c.executeQuery(CompiledQuery.raw('begin'));
  }

  async commitTransaction(c: DatabaseConnection): Promise<void> {
    await c.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(c: DatabaseConnection): Promise<void> {
    await c.executeQuery(CompiledQuery.raw('rollback'));
  }

  async destroy(): Promise<void> {
    await this.thread.close();
  }
}

export class SqliteThreadDialect implements Dialect {
  constructor(private readonly options: SqliteThreadOptions) {}

  createDriver(): Driver {
    return new ThreadDriver(this.options);
  }

  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return new SqliteAdapter();
  }

  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}
