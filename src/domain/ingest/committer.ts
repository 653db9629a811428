import type { CommitOutcome, IngestWriter, IngestWork } from './writer.js';
import type { LiveInstance } from '../registry.js';
import { gatherWhileGrowing } from './gather.js';

interface Waiting {
  live: LiveInstance;
  works: IngestWork[];
  resolve: (o: CommitOutcome) => void;
  reject: (e: unknown) => void;
}

/**
 * Gathers the batches instances hand over in the same turn of the event loop and commits them together (one insert
 * per table for all of them). If the shared commit fails, each batch is tried alone, so one instance's failure is its
 * own: its queue retries it, the others go on.
 */
export class IngestCommitter {
  private waiting: Waiting[] = [];
  private running: Promise<void> | undefined;

  constructor(private readonly writer: IngestWriter) {}

  commit(live: LiveInstance, works: IngestWork[]): Promise<CommitOutcome> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ live, works, resolve, reject });
      // Other instances still handing batches over join this commit.
      this.running ??= gatherWhileGrowing(() => this.waiting.length).then(() => this.drain());
    });
  }

  private async drain(): Promise<void> {
    while (this.waiting.length) {
      const group = this.waiting.splice(0);
      try {
        const outcomes = await this.writer.commit(group);
        group.forEach((g, i) => g.resolve(outcomes[i]!));
      } catch (err) {
        if (group.length === 1) group[0]!.reject(err);
        else for (const g of group) await this.writer.commit([g]).then(([o]) => g.resolve(o!), g.reject);
      }
    }
    this.running = undefined;
  }
}
