import { sql } from 'kysely';
import type { Db } from './db.js';
import type { EventAttemptTable, EventOutboxTable } from './schema.js';
import type { Executor } from './instanceRepository.js';
import { BulkInsert, chunks } from './sql/bulk.js';

export type OutboxState = 'pending' | 'delivered' | 'dead';

export type OutboxRow = Omit<EventOutboxTable, 'seq'> & { seq: number };
export type NewOutboxRow = Omit<EventOutboxTable, 'seq'>;

export type AttemptRecord = Omit<EventAttemptTable, 'seq'>;

export interface Outcome {
  seq: number;
  state: OutboxState;
  attempts: number;
  nextAttemptAt: number;
  lastStatus: number | null;
  lastError: string | null;
  deliveredAt: number | null;
}

const INSERT_CHUNK = 500;

/** The durable outbox: append in the caller's transaction, load by leased partitions, record outcomes in batches. */
const OUTBOX_COLUMNS = ['id', 'instanceId', 'instanceName', 'event', 'lane', 'partition', 'kind', 'target', 'options', 'secret', 'body', 'state', 'attempts', 'nextAttemptAt', 'createdAt', 'deliveredAt', 'lastStatus', 'lastError', 'correlationId'] as const satisfies ReadonlyArray<keyof NewOutboxRow>;

export class OutboxRepository {
  /** The append statement, built once per row count. */
  private readonly insert: BulkInsert;

  constructor(private readonly db: Db) {
    this.insert = new BulkInsert(db.provider, { table: 'eventOutbox', columns: OUTBOX_COLUMNS, returning: ['seq'] });
  }

  /**
   * Inserts the rows; returns their seqs in row order where the database can say (RETURNING: SQLite, PostgreSQL),
   * else undefined. Seqs grow in VALUES order, so the returned ones are sorted rather than trusted to come in order.
   */
  async append(rows: NewOutboxRow[], tx: Executor = this.db.kysely): Promise<number[] | undefined> {
    const seqs: number[] = [];
    for (const chunk of chunks(rows, OUTBOX_COLUMNS.length)) {
      const res = await tx.executeQuery<{ seq: number }>(this.insert.compile(chunk.map((r) => OUTBOX_COLUMNS.map((c) => r[c]))));
      if (this.insert.returns) seqs.push(...res.rows.map((r) => Number(r.seq)).sort((a, b) => a - b));
    }
    return this.insert.returns ? seqs : undefined;
  }

  /** Pending rows of these partitions after `afterSeq`, oldest first. */
  async loadPending(partitions: number[], afterSeq: number, limit: number): Promise<OutboxRow[]> {
    if (!partitions.length) return [];
    const pending = () => this.db.kysely.selectFrom('eventOutbox').where('state', '=', 'pending').where('partition', 'in', partitions).where('seq', '>', afterSeq);
    let page = pending().selectAll();
    if (this.db.provider === 'sqlite') {
      // Without statistics SQLite reads every pending row after afterSeq through the (state, partition, seq) index and
      // sorts them whole for the first `limit`: with a backlog, every page cost the whole backlog. The page's last seq
      // comes from the index alone (seqs only), then only the page's rows are read.
      const last = await pending().select('seq').orderBy('seq').limit(1).offset(limit - 1).executeTakeFirst();
      if (last) page = page.where('seq', '<=', Number(last.seq));
    }
    return (await page.orderBy('seq').limit(limit).execute()) as OutboxRow[];
  }

  async pendingSeqs(partitions: number[], upToSeq: number): Promise<number[]> {
    if (!partitions.length) return [];
    const rows = await this.db.kysely.selectFrom('eventOutbox').select('seq').where('state', '=', 'pending').where('partition', 'in', partitions).where('seq', '<=', upToSeq).execute();
    return rows.map((r) => Number(r.seq));
  }

  async loadBySeqs(seqs: number[]): Promise<OutboxRow[]> {
    if (!seqs.length) return [];
    return (await this.db.kysely.selectFrom('eventOutbox').selectAll().where('seq', 'in', seqs).where('state', '=', 'pending').orderBy('seq').execute()) as OutboxRow[];
  }

  /** Writes outcomes and attempts in one transaction; delivered rows with the same attempt count share one statement. */
  async recordOutcomes(outcomes: Outcome[], attempts: AttemptRecord[]): Promise<void> {
    if (!outcomes.length && !attempts.length) return;
    await this.db.kysely.transaction().execute(async (tx) => {
      const delivered = new Map<string, number[]>();
      for (const o of outcomes) {
        if (o.state === 'delivered') {
          const k = `${o.attempts}|${o.lastStatus}`;
          const seqs = delivered.get(k);
          if (seqs) seqs.push(o.seq);
          else delivered.set(k, [o.seq]);
          continue;
        }
        await tx.updateTable('eventOutbox').set({ state: o.state, attempts: o.attempts, nextAttemptAt: o.nextAttemptAt, lastStatus: o.lastStatus, lastError: o.lastError?.slice(0, 1000) ?? null, deliveredAt: o.deliveredAt }).where('seq', '=', o.seq).execute();
      }
      const now = Date.now();
      for (const [k, seqs] of delivered) {
        const [attemptsText, status] = k.split('|');
        for (let i = 0; i < seqs.length; i += INSERT_CHUNK) {
          await tx.updateTable('eventOutbox').set({ state: 'delivered', attempts: Number(attemptsText), lastStatus: status === 'null' ? null : Number(status), lastError: null, deliveredAt: now }).where('seq', 'in', seqs.slice(i, i + INSERT_CHUNK)).execute();
        }
      }
      for (let i = 0; i < attempts.length; i += INSERT_CHUNK) await tx.insertInto('eventAttempts').values(attempts.slice(i, i + INSERT_CHUNK)).execute();
    });
  }

  // --- partition leases ---
  // outboxPartitions holds the partitions 0..63 and, below 0, one presence row per live delivery process: a process
  // that holds no partition yet (it just started, the others hold them all) must still count in everyone's fair share.

  /** Keeps this process's presence row alive (`slot` < 0, its own) and removes the expired ones of dead processes. */
  async heartbeat(owner: string, slot: number, leaseMs: number): Promise<void> {
    const now = Date.now();
    const res = await this.db.kysely.updateTable('outboxPartitions').set({ owner, leaseUntil: now + leaseMs }).where('partition', '=', slot).executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) await this.db.kysely.insertInto('outboxPartitions').values({ partition: slot, owner, leaseUntil: now + leaseMs }).execute();
    await this.db.kysely.deleteFrom('outboxPartitions').where('partition', '<', 0).where('leaseUntil', '<', now).execute();
  }

  /** Takes up to `want` partitions whose lease expired (FOR UPDATE SKIP LOCKED where the database has it). */
  async acquire(owner: string, want: number, leaseMs: number): Promise<number[]> {
    if (want <= 0) return [];
    const now = Date.now();
    return this.db.kysely.transaction().execute(async (tx) => {
      let q = tx.selectFrom('outboxPartitions').select('partition').where('partition', '>=', 0).where('leaseUntil', '<', now).orderBy('partition').limit(want);
      if (this.db.provider !== 'sqlite') q = q.forUpdate().skipLocked();
      const free = (await q.execute()).map((r) => Number(r.partition));
      if (!free.length) return [];
      await tx.updateTable('outboxPartitions').set({ owner, leaseUntil: now + leaseMs }).where('partition', 'in', free).execute();
      return free;
    });
  }

  /** Extends this owner's leases; returns the partitions it still holds. */
  async renew(owner: string, leaseMs: number): Promise<number[]> {
    const now = Date.now();
    await this.db.kysely.updateTable('outboxPartitions').set({ leaseUntil: now + leaseMs }).where('owner', '=', owner).where('partition', '>=', 0).where('leaseUntil', '>=', now).execute();
    const rows = await this.db.kysely.selectFrom('outboxPartitions').select('partition').where('owner', '=', owner).where('partition', '>=', 0).where('leaseUntil', '>', now).execute();
    return rows.map((r) => Number(r.partition));
  }

  /** Gives partitions back; without a list, all of them and the presence row (the process stops). */
  async release(owner: string, partitions?: number[]): Promise<void> {
    let q = this.db.kysely.updateTable('outboxPartitions').set({ owner: null, leaseUntil: 0 }).where('owner', '=', owner).where('partition', '>=', 0);
    if (partitions) {
      if (!partitions.length) return;
      q = q.where('partition', 'in', partitions);
    }
    await q.execute();
    if (!partitions) await this.db.kysely.deleteFrom('outboxPartitions').where('owner', '=', owner).where('partition', '<', 0).execute();
  }

  /** Live delivery processes: distinct owners of an unexpired partition lease or presence row. */
  async liveOwners(): Promise<number> {
    const row = await this.db.kysely.selectFrom('outboxPartitions').select(sql<number>`count(distinct ${sql.ref('owner')})`.as('n')).where('leaseUntil', '>', Date.now()).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  // --- operations routes ---

  async list(instanceId: string, state: OutboxState | undefined, limit: number): Promise<OutboxRow[]> {
    let q = this.db.kysely.selectFrom('eventOutbox').selectAll().where('instanceId', '=', instanceId);
    if (state) q = q.where('state', '=', state);
    return (await q.orderBy('seq', 'desc').limit(limit).execute()) as OutboxRow[];
  }

  async attemptsOf(seqs: number[]): Promise<AttemptRecord[]> {
    if (!seqs.length) return [];
    return (await this.db.kysely.selectFrom('eventAttempts').select(['outboxSeq', 'attempt', 'statusCode', 'latencyMs', 'error', 'at']).where('outboxSeq', 'in', seqs).orderBy('seq').execute()).map((a) => ({ ...a, outboxSeq: Number(a.outboxSeq), at: Number(a.at) }));
  }

  /** Dead letters of an instance (one, by webhook id, or all) go back to pending. */
  async replay(instanceId: string, id?: string): Promise<{ partitions: number[]; count: number }> {
    let q = this.db.kysely.selectFrom('eventOutbox').select(['seq', 'partition']).where('instanceId', '=', instanceId).where('state', '=', 'dead');
    if (id) q = q.where('id', '=', id);
    const rows = await q.execute();
    if (!rows.length) return { partitions: [], count: 0 };
    const seqs = rows.map((r) => Number(r.seq));
    for (let i = 0; i < seqs.length; i += INSERT_CHUNK) {
      await this.db.kysely.updateTable('eventOutbox').set({ state: 'pending', attempts: 0, nextAttemptAt: Date.now(), createdAt: Date.now(), lastError: null }).where('seq', 'in', seqs.slice(i, i + INSERT_CHUNK)).execute();
    }
    return { partitions: [...new Set(rows.map((r) => Number(r.partition)))], count: rows.length };
  }

  async purge(instanceId: string, state: OutboxState): Promise<number> {
    const res = await this.db.kysely.deleteFrom('eventOutbox').where('instanceId', '=', instanceId).where('state', '=', state).executeTakeFirst();
    return Number(res.numDeletedRows);
  }

  /** Keeps the table bounded: delivered rows after their retention, dead ones after theirs; attempts with them. */
  async prune(deliveredBefore: number, deadBefore: number): Promise<number> {
    const old = await this.db.kysely
      .selectFrom('eventOutbox')
      .select('seq')
      .where((eb) => eb.or([eb.and([eb('state', '=', 'delivered'), eb('deliveredAt', '<', deliveredBefore)]), eb.and([eb('state', '=', 'dead'), eb('createdAt', '<', deadBefore)])]))
      .limit(10_000)
      .execute();
    if (!old.length) return 0;
    const seqs = old.map((r) => Number(r.seq));
    for (let i = 0; i < seqs.length; i += INSERT_CHUNK) {
      const chunk = seqs.slice(i, i + INSERT_CHUNK);
      await this.db.kysely.deleteFrom('eventAttempts').where('outboxSeq', 'in', chunk).execute();
      await this.db.kysely.deleteFrom('eventOutbox').where('seq', 'in', chunk).execute();
    }
    return seqs.length;
  }

  /** Pending count, oldest pending creation time and earliest due time (ms), for metrics and readiness. */
  async pendingSummary(): Promise<{ pending: number; oldestCreatedAt: number | null; earliestDueAt: number | null }> {
    const row = await this.db.kysely
      .selectFrom('eventOutbox')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('createdAt').as('oldest'), eb.fn.min('nextAttemptAt').as('due')])
      .where('state', '=', 'pending')
      .executeTakeFirstOrThrow();
    return { pending: Number(row.n), oldestCreatedAt: row.oldest === null ? null : Number(row.oldest), earliestDueAt: row.due === null ? null : Number(row.due) };
  }

  /** Oldest pending creation time per transport kind (ms). */
  async oldestPendingByKind(): Promise<Array<{ kind: string; oldest: number }>> {
    const rows = await this.db.kysely.selectFrom('eventOutbox').select(['kind', (eb) => eb.fn.min('createdAt').as('oldest')]).where('state', '=', 'pending').groupBy('kind').execute();
    return rows.map((r) => ({ kind: r.kind, oldest: Number(r.oldest) }));
  }

  async counts(): Promise<Record<OutboxState, number>> {
    const rows = await this.db.kysely.selectFrom('eventOutbox').select(['state', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('state').execute();
    const out: Record<OutboxState, number> = { pending: 0, delivered: 0, dead: 0 };
    for (const r of rows) out[r.state as OutboxState] = Number(r.n);
    return out;
  }
}
