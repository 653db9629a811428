import type { Logger } from 'pino';
import { HoldBack } from '../../channels/events.js';
import { gatherWhileGrowing } from './gather.js';

/** Work the writer commits in batches (messages, sent records, updates), or a step run on its own, in order with them. */
export type Job<W> = { kind: 'batch'; work: W; weight: number } | { kind: 'step'; what: string; run: () => Promise<void> };

interface Entry<W> {
  job: Job<W>;
  failures: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** What every instance's queue shares: the memory bound on their sum, and whether the database is known unreachable. */
export class IngestBudget {
  used = 0;
  /** Set by the first queue whose commit fails on an unreachable database, cleared by the next commit that succeeds. */
  databaseDown = false;
  constructor(readonly perInstance: number, readonly total: number) {}
}

export interface IngestQueueOptions<W> {
  budget: IngestBudget;
  /** Commits these works in one transaction (with their events). */
  commit: (works: W[]) => Promise<void>;
  /** After a failure (`err`): can the database be reached? Unreachable means wait and retry, never give up. */
  reachable: (err: unknown) => Promise<boolean>;
  logger: Logger;
  /** Most weight (messages + updates) one transaction takes. */
  maxBatch?: number;
  /** Called each time work is refused with HoldBack (metrics). */
  onHoldBack?: () => void;
}

/** A work item that fails this many times alone while the database answers is refused (logged), not retried forever. */
const POISON_FAILURES = 3;
const MAX_BACKOFF_MS = 2000;

/**
 * One instance's ordered work. Consecutive batch jobs are drained into one transaction; a failed transaction is
 * retried, in order, with backoff while the database is unreachable, and item by item while it answers (so one bad
 * item cannot hold the others). Accepted work is bounded: past the budget, `push` refuses with HoldBack.
 */
export class IngestQueue<W> {
  private readonly entries: Array<Entry<W>> = [];
  private weight = 0;
  private pumping: Promise<void> | undefined;
  /** Batch jobs to take one at a time after a batch failed while the database answered. */
  private singles = 0;

  constructor(private readonly o: IngestQueueOptions<W>) {}

  /** Accepts work; resolves once it is committed. `force` takes it over the budget (already sent: must be recorded). */
  push(job: Job<W>, force = false): Promise<void> {
    return this.pushAll([job], force);
  }

  /** Accepts all of the jobs or, past the budget, none (rejects with HoldBack); resolves once all are committed. */
  pushAll(jobs: Array<Job<W>>, force = false): Promise<void> {
    const weight = jobs.reduce((n, j) => n + (j.kind === 'batch' ? j.weight : 0), 0);
    const { budget } = this.o;
    if (!force && weight > 0 && this.weight > 0 && (this.weight + weight > budget.perInstance || budget.used + weight > budget.total)) {
      this.o.onHoldBack?.();
      return Promise.reject(new HoldBack(budget.databaseDown ? 1000 : 100));
    }
    const done = jobs.map((job) => {
      const w = job.kind === 'batch' ? job.weight : 0;
      this.weight += w;
      budget.used += w;
      return new Promise<void>((resolve, reject) => this.entries.push({ job, failures: 0, resolve, reject }));
    });
    this.pumping ??= Promise.resolve().then(() => this.pump());
    return Promise.all(done).then(() => undefined);
  }

  /** True while the database is known unreachable: callers that would act first (send) should refuse instead. */
  get blocked(): boolean {
    return this.o.budget.databaseDown;
  }

  get pending(): number {
    return this.weight;
  }

  /** Resolves when everything accepted so far is committed (or refused). */
  async idle(): Promise<void> {
    while (this.pumping) await this.pumping;
  }

  private async pump(): Promise<void> {
    let backoff = 50;
    while (this.entries.length) {
      // Work still arriving (other chats' requests, acks) joins this batch.
      if (this.entries[0]!.job.kind === 'batch') await gatherWhileGrowing(() => this.entries.length);
      const batch = this.take();
      try {
        const head = batch[0]!.job;
        if (head.kind === 'step') await head.run();
        else await this.o.commit(batch.map((e) => (e.job as { work: W }).work));
        if (this.o.budget.databaseDown) this.o.logger.info('database reachable again; queued work committed');
        this.o.budget.databaseDown = false;
        backoff = 50;
        this.settle(batch.length, (e) => e.resolve());
        if (this.singles > 0) this.singles--;
      } catch (err) {
        if (!(await this.o.reachable(err))) {
          if (!this.o.budget.databaseDown) this.o.logger.warn({ err: errorText(err), queued: this.entries.length }, 'database unreachable; holding queued work and retrying');
          this.o.budget.databaseDown = true;
          await sleep(backoff);
          backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
          continue;
        }
        if (batch.length > 1) {
          this.singles = batch.length;
          continue;
        }
        const entry = batch[0]!;
        entry.failures++;
        if (entry.failures < POISON_FAILURES) {
          await sleep(backoff);
          backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
          continue;
        }
        const what = entry.job.kind === 'step' ? entry.job.what : 'batch';
        this.o.logger.error({ err, what }, 'work failed repeatedly while the database answers; refused');
        this.settle(1, (e) => e.reject(err));
      }
    }
    this.pumping = undefined;
  }

  /** The head: a step alone, or consecutive batch jobs up to maxBatch weight (one at a time after a failure). */
  private take(): Array<Entry<W>> {
    const first = this.entries[0]!;
    if (first.job.kind === 'step' || this.singles > 0) return [first];
    const max = this.o.maxBatch ?? 2000;
    let weight = 0;
    let n = 0;
    for (const e of this.entries) {
      if (e.job.kind !== 'batch' || (n > 0 && weight + e.job.weight > max)) break;
      weight += e.job.weight;
      n++;
    }
    return this.entries.slice(0, n);
  }

  private settle(n: number, fn: (e: Entry<W>) => void): void {
    for (const e of this.entries.splice(0, n)) {
      const weight = e.job.kind === 'batch' ? e.job.weight : 0;
      this.weight -= weight;
      this.o.budget.used -= weight;
      fn(e);
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));
