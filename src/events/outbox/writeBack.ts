import type { Logger } from 'pino';
import type { AttemptRecord, OutboxRepository, Outcome } from '../../storage/outboxRepository.js';

const FLUSH_MS = 25;

/**
 * Outcomes and attempts are written back in batches, in one transaction every FLUSH_MS. Rows finished but not yet
 * written are still pending in the database: `unflushed` keeps them from being loaded (and sent) again meanwhile.
 */
export class WriteBack {
  /** Finished (delivered or dead) but not yet written back. */
  readonly unflushed = new Set<number>();
  private outcomes: Outcome[] = [];
  private attempts: AttemptRecord[] = [];
  private timer?: NodeJS.Timeout;
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly repo: OutboxRepository, private readonly logger: Logger) {}

  record(outcome: Outcome, attempt: AttemptRecord): void {
    this.outcomes.push(outcome);
    this.attempts.push(attempt);
    if (outcome.state !== 'pending') this.unflushed.add(outcome.seq);
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.flush();
      }, FLUSH_MS);
    }
  }

  flush(): Promise<void> {
    this.chain = this.chain.then(async () => {
      if (!this.outcomes.length && !this.attempts.length) return;
      const outcomes = this.outcomes;
      const attempts = this.attempts;
      this.outcomes = [];
      this.attempts = [];
      await this.repo.recordOutcomes(outcomes, attempts).catch((err) => {
        this.logger.error({ err, outcomes: outcomes.length }, 'could not record delivery outcomes; they will be delivered again');
      });
      for (const o of outcomes) if (o.state !== 'pending') this.unflushed.delete(o.seq);
    });
    return this.chain;
  }

  /**
   * Runs a read that loads rows between two write-backs, never across one. A row finished while the read runs is in
   * `unflushed` when its result is added; but had its write-back committed (and left `unflushed`) during the read,
   * the read could still return it as pending and it would be sent again.
   */
  exclusive<T>(read: () => Promise<T>): Promise<T> {
    const result = this.chain.then(read);
    this.chain = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
