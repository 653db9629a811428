import { randomInt } from 'node:crypto';
import type { OutboxRepository } from '../../storage/outboxRepository.js';
import { OUTBOX_PARTITIONS } from '../../storage/migrations/002_outbox.js';

export interface LeaseHooks {
  /** Partitions just acquired: their rows must be loaded (also those below the cursor). */
  acquired(partitions: number[]): void;
  /** A partition is no longer ours: forget its rows. */
  dropped(partition: number): void;
  /** Partitions with a send in flight: not given away this tick. */
  busy(): Set<number>;
  /** Writes outcomes back (before a partition is released, or its next owner would send them again). */
  flush(): Promise<void>;
}

/**
 * This process's fair share of the outbox partitions. Every live process has a presence row (below 0, never a
 * partition), also one that holds no partition yet; a lease that is not renewed expires and another process takes
 * the partition over, so a crashed worker's deliveries are retried (FOR UPDATE SKIP LOCKED on PostgreSQL/MySQL).
 */
export class PartitionLeases {
  readonly owned = new Set<number>();
  private readonly presence = -1 - randomInt(2 ** 30);
  private ticking = false;
  stopped = false;

  constructor(private readonly repo: OutboxRepository, readonly owner: string, private readonly leaseMs: number, private readonly hooks: LeaseHooks) {}

  async tick(): Promise<void> {
    // A slow tick (loading many partitions) must not overlap the next one: both would acquire or release.
    if (this.stopped || this.ticking) return;
    this.ticking = true;
    try {
      await this.repo.heartbeat(this.owner, this.presence, this.leaseMs);
      const held = new Set(await this.repo.renew(this.owner, this.leaseMs));
      for (const p of [...this.owned]) if (!held.has(p)) this.drop(p);
      const owners = Math.max(1, await this.repo.liveOwners());
      const share = Math.ceil(OUTBOX_PARTITIONS / owners);
      if (held.size < share) {
        const acquired = await this.repo.acquire(this.owner, share - held.size, this.leaseMs);
        if (acquired.length) {
          for (const p of acquired) this.owned.add(p);
          this.hooks.acquired(acquired);
        }
      } else if (held.size > share) {
        const busy = this.hooks.busy();
        const extras = [...this.owned].filter((p) => !busy.has(p)).slice(0, held.size - share);
        for (const p of extras) this.drop(p);
        await this.hooks.flush();
        await this.repo.release(this.owner, extras);
      }
    } finally {
      this.ticking = false;
    }
  }

  drop(p: number): void {
    this.owned.delete(p);
    this.hooks.dropped(p);
  }

  /** Gives partitions back (all of them and the presence row without a list). */
  release(partitions?: number[]): Promise<void> {
    return this.repo.release(this.owner, partitions);
  }
}
