import type { Logger } from 'pino';
import type { InboxRepository } from '../../storage/inboxRepository.js';
import { HoldBack } from '../events.js';

/** Processes one accepted payload; resolves once what it carries is durable, rejects to have it tried again later. */
export type InboxHandler = (payload: string) => Promise<void>;

export interface InboxOptions {
  /** Payloads taken per round. */
  batch?: number;
  /** A payload that fails this often (not counting hold-backs) stays in the table, skipped, for an operator to look at. */
  maxAttempts?: number;
}

/**
 * A platform's webhook posts, kept in the database before the platform gets its 200 and processed afterwards, oldest
 * first. A payload leaves the table only once its handler resolved (its messages stored, their events in the outbox),
 * so a crash at any point loses nothing: the next start processes what is left. Duplicates that this causes (a crash
 * after storing, before removing) are refused by the messages' unique key.
 */
export class DurableInbox {
  private running: Promise<void> | undefined;
  private again = false;
  private closed = false;
  private backoffMs = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly batch: number;
  private readonly maxAttempts: number;

  constructor(private readonly channel: string, private readonly repo: InboxRepository, private readonly handler: InboxHandler, private readonly logger: Logger, opts: InboxOptions = {}) {
    this.batch = opts.batch ?? 200;
    this.maxAttempts = opts.maxAttempts ?? 5;
  }

  /** Keeps the payload; resolves once it is committed (then, and only then, may the platform get its 200). */
  async accept(payload: string): Promise<void> {
    await this.repo.add(this.channel, payload);
    this.kick();
  }

  /** Processes what an earlier run left, then whatever arrives. */
  start(): void {
    this.kick();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Resolves when nothing is being processed (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running.catch(() => undefined);
  }

  private kick(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = undefined;
      if (this.again && !this.closed) {
        this.again = false;
        if (this.backoffMs) this.later();
        else this.kick();
      }
    });
  }

  private later(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.kick();
    }, this.backoffMs);
    this.timer.unref();
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (this.closed) return;
      let rows;
      try {
        rows = await this.repo.pending(this.channel, 0, this.batch, this.maxAttempts);
      } catch (err) {
        this.retryLater(err);
        return;
      }
      if (!rows.length) {
        this.backoffMs = 0;
        return;
      }
      // Every handler is started before any is awaited: each hands its events to the instances' queues in this order.
      const outcomes = await Promise.allSettled(rows.map((r) => this.handler(r.payload)));
      const done: number[] = [];
      let failedAny = false;
      for (const [i, outcome] of outcomes.entries()) {
        const row = rows[i]!;
        if (outcome.status === 'fulfilled') {
          done.push(row.seq);
          continue;
        }
        failedAny = true;
        if (outcome.reason instanceof HoldBack) continue;
        const message = (outcome.reason as Error)?.message ?? String(outcome.reason);
        this.logger.warn({ channel: this.channel, seq: row.seq, attempt: row.attempts + 1, err: message }, 'inbound webhook payload not processed; it is tried again');
        await this.repo.failed(row.seq, message).catch(() => undefined);
      }
      try {
        await this.repo.remove(done);
      } catch (err) {
        // Processed but still in the table: processed again later, and the duplicates are refused by the unique keys.
        this.retryLater(err);
        return;
      }
      if (failedAny) {
        this.retryLater(undefined);
        return;
      }
      this.backoffMs = 0;
    }
  }

  private retryLater(err: unknown): void {
    if (err) this.logger.warn({ channel: this.channel, err: (err as Error).message }, 'inbound webhook inbox unavailable; retrying');
    this.backoffMs = Math.min(2000, Math.max(50, this.backoffMs * 2));
    this.again = true;
  }
}
