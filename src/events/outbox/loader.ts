import type { Logger } from 'pino';
import type { OutboxRepository, OutboxRow } from '../../storage/outboxRepository.js';
import type { WriteBack } from './writeBack.js';

const LOAD_PAGE = 2000;

export interface LoaderHooks {
  owned(): number[];
  /** Queues a row (numbers normalised); false when it was not taken. */
  add(row: OutboxRow): boolean;
  /** Rows held in memory now. */
  inMemory(): number;
  pump(): void;
  /** Acquired partitions whose load failed: give them back. */
  failed(partitions: number[]): void;
}

function normalise(raw: OutboxRow): OutboxRow {
  return { ...raw, seq: Number(raw.seq), attempts: Number(raw.attempts), nextAttemptAt: Number(raw.nextAttemptAt), createdAt: Number(raw.createdAt) };
}

/**
 * Brings pending rows of the owned partitions into memory: rows this process just committed (without reading them
 * back when they follow the cursor), pages after the cursor, whole partitions just acquired, and late rows a rescan
 * finds below the cursor. Reads run between write-backs (WriteBack.exclusive).
 */
export class OutboxLoader {
  cursor = 0;
  loading = false;
  private loadAgain = false;
  /** Just acquired, older rows not loaded yet. */
  readonly loadingPartitions = new Map<number, object>();
  stopped = false;

  constructor(private readonly repo: OutboxRepository, private readonly writeBack: WriteBack, private readonly maxInMemory: number, private readonly logger: Logger, private readonly hooks: LoaderHooks) {}

  /** New rows were committed: load them soon. */
  notify(): void {
    if (this.stopped) return;
    if (this.loading) {
      this.loadAgain = true;
      return;
    }
    this.loading = true;
    void this.load()
      .catch((err) => this.logger.error({ err }, 'outbox load failed'))
      .finally(() => {
        this.loading = false;
        if (this.loadAgain) {
          this.loadAgain = false;
          this.notify();
        }
      });
  }

  /**
   * Rows this process has just committed (`undefined`: committed, seqs unknown). When they directly follow the cursor
   * they are queued as they are, without reading them back; after a gap (rows of another process, seqs of a rolled
   * back transaction, or the cursor not caught up yet) a load reads them, and anything in between, from the database.
   */
  accept(rows: OutboxRow[] | undefined): void {
    if (this.stopped) return;
    const contiguous = rows?.every((r, i) => r.seq === this.cursor + 1 + i);
    if (!rows?.length || !contiguous || this.hooks.inMemory() + rows.length > this.maxInMemory) return this.notify();
    for (const row of rows) this.hooks.add(row);
    this.cursor = rows.at(-1)!.seq;
    this.hooks.pump();
  }

  private async load(): Promise<void> {
    while (!this.stopped && this.hooks.inMemory() < this.maxInMemory) {
      const count = await this.writeBack.exclusive(async () => {
        const rows = await this.repo.loadPending(this.hooks.owned(), this.cursor, LOAD_PAGE);
        for (const row of rows) this.hooks.add(normalise(row));
        if (rows.length) this.cursor = Math.max(this.cursor, Number(rows.at(-1)!.seq));
        return rows.length;
      });
      if (count < LOAD_PAGE) break;
    }
    this.hooks.pump();
  }

  /** Loads partitions just acquired, outside the lease tick; their lanes send nothing until the load is complete. */
  takeOver(partitions: number[]): void {
    const token = {};
    for (const p of partitions) this.loadingPartitions.set(p, token);
    const done = () => {
      for (const p of partitions) if (this.loadingPartitions.get(p) === token) this.loadingPartitions.delete(p);
    };
    this.loadPartitions(partitions).then(
      () => {
        done();
        this.hooks.pump();
      },
      (err) => {
        this.logger.error({ err, partitions }, 'could not load acquired outbox partitions; releasing them');
        done();
        this.hooks.failed(partitions);
      },
    );
  }

  /** Every pending row of these partitions, also those below the cursor (left by their previous owner). */
  private async loadPartitions(partitions: number[]): Promise<void> {
    let after = 0;
    while (partitions.length) {
      const count = await this.writeBack.exclusive(async () => {
        const rows = await this.repo.loadPending(partitions, after, LOAD_PAGE);
        for (const row of rows) this.hooks.add(normalise(row));
        if (rows.length) after = Number(rows.at(-1)!.seq);
        return rows.length;
      });
      if (count < LOAD_PAGE) break;
    }
  }

  /** Rows committed by other processes can become visible after the cursor passed their seq: pick them up. */
  async rescan(isKnown: (seq: number) => boolean): Promise<void> {
    const added = await this.writeBack.exclusive(async () => {
      const seqs = await this.repo.pendingSeqs(this.hooks.owned(), this.cursor);
      const missing = seqs.filter((s) => !isKnown(s) && !this.writeBack.unflushed.has(s));
      if (!missing.length) return 0;
      const rows = await this.repo.loadBySeqs(missing.slice(0, LOAD_PAGE));
      for (const row of rows) this.hooks.add(normalise(row));
      return rows.length;
    });
    if (added) this.hooks.pump();
  }
}
