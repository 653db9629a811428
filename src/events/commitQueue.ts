import type { Db } from '../storage/db.js';
import type { Executor } from '../storage/instanceRepository.js';
import type { GatewayEvent } from '../domain/events.js';
import { newEvent, type Emit } from './bus.js';
import { currentCorrelationId } from '../observability/context.js';

/** Where committed events are made durable, inside the same transaction (the outbox). */
export interface DurableEventStore {
  /** May return what to do once the transaction has committed (never called if it rolls back). */
  persist(events: GatewayEvent[], tx: Executor): Promise<(() => void) | void>;
}

interface Unit {
  work: (tx: Executor, emit: Emit) => Promise<unknown>;
  /** Captured at submit: the batch runs in another async context. */
  correlationId?: string;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

const MAX_BATCH = 256;

/**
 * Group commit: units of work (a state change plus the events it emits) queued within one tick run in one
 * transaction, with their outbox rows, in submission order. One fsync for many events; a failing unit is retried
 * alone so it cannot take the others down.
 */
export class CommitQueue {
  onCommitted: (events: GatewayEvent[]) => void = () => undefined;
  /** A hand-off or observer failed after commit (the worker's poll still finds the rows). */
  onPostCommitError: (err: unknown) => void = () => undefined;
  private pending: Unit[] = [];
  private running: Promise<void> | undefined;

  constructor(private readonly db: Db, private readonly store: DurableEventStore | undefined) {}

  submit<R>(work: (tx: Executor, emit: Emit) => Promise<R>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ work, resolve: resolve as (v: unknown) => void, reject, correlationId: currentCorrelationId() });
      this.running ??= new Promise<void>((r) => setImmediate(r)).then(() => this.drainLoop());
    });
  }

  /** Resolves when everything submitted so far is committed. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drainLoop(): Promise<void> {
    while (this.pending.length) {
      const batch = this.pending.splice(0, MAX_BATCH);
      try {
        await this.commitBatch(batch);
      } catch {
        for (const unit of batch) await this.commitBatch([unit]).catch((e) => unit.reject(e));
      }
    }
    this.running = undefined;
  }

  private async commitBatch(units: Unit[]): Promise<void> {
    const events: GatewayEvent[] = [];
    const results: unknown[] = [];
    let afterCommit = undefined as (() => void) | void;
    await this.db.kysely.transaction().execute(async (tx) => {
      for (const unit of units) {
        const emit: Emit = (source, event, data, remoteJid) => void events.push({ ...newEvent(source, event, data, remoteJid), correlationId: unit.correlationId });
        results.push(await unit.work(tx, emit));
      }
      if (this.store && events.length) afterCommit = await this.store.persist(events, tx);
    });
    // Committed: nothing below may throw back into drainLoop, or the units would be retried and run twice.
    this.afterCommitSafely(() => afterCommit?.());
    units.forEach((u, i) => u.resolve(results[i]));
    if (events.length) this.afterCommitSafely(() => this.onCommitted(events));
  }

  private afterCommitSafely(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.onPostCommitError(err);
    }
  }
}
