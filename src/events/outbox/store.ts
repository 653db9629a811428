import { createHash } from 'node:crypto';
import type { GatewayEvent } from '../../domain/events.js';
import type { Executor } from '../../storage/instanceRepository.js';
import type { NewOutboxRow, OutboxRepository, OutboxRow } from '../../storage/outboxRepository.js';
import { OUTBOX_PARTITIONS } from '../../storage/migrations/002_outbox.js';
import type { SecretBox } from '../../security/secrets.js';
import type { DurableEventStore } from '../commitQueue.js';
import { resolveTargets, type TargetOptions } from '../webhook/targets.js';
import { SealCache } from './sealCache.js';

/**
 * Ordering lane of a delivery: one destination URL and one chat of one instance (events without a chat share the
 * instance's lane). Deliveries of a lane go out one at a time, in outbox order.
 */
export function laneOf(url: string, instanceId: string, remoteJid: string | undefined): { lane: string; partition: number } {
  const lane = createHash('sha1').update(`${url}|${instanceId}|${remoteJid ?? ''}`).digest('hex');
  return { lane, partition: parseInt(lane.slice(0, 8), 16) % OUTBOX_PARTITIONS };
}

/** Turns committed events into outbox rows, one per webhook target, in the committing transaction. */
export class OutboxStore implements DurableEventStore {
  private readonly sealer: SealCache;

  /**
   * `committed` (the delivery worker) gets the rows once their transaction has committed, with their seqs when the database returned them
   * (the delivery worker queues them without reading them back), else undefined (it loads them).
   */
  constructor(private readonly repo: OutboxRepository, private readonly targets: TargetOptions, box: SecretBox, private readonly committed: (rows: OutboxRow[] | undefined) => void) {
    this.sealer = new SealCache(box);
  }

  async persist(events: GatewayEvent[], tx: Executor): Promise<(() => void) | void> {
    const rows: NewOutboxRow[] = [];
    const now = Date.now();
    for (const event of events) {
      for (const t of resolveTargets(event, this.targets)) {
        rows.push({
          id: `evt_${event.id}`,
          instanceId: event.instanceId,
          instanceName: event.instanceName,
          event: event.event,
          ...laneOf(t.url, event.instanceId, event.remoteJid),
          url: t.url,
          headers: t.headers ? this.sealer.seal(JSON.stringify(t.headers)) : null,
          secret: t.secret ? this.sealer.seal(t.secret) : null,
          body: t.body,
          state: 'pending',
          attempts: 0,
          nextAttemptAt: now,
          createdAt: event.createdAt.getTime(),
          deliveredAt: null,
          lastStatus: null,
          lastError: null,
          correlationId: event.correlationId ?? null,
        });
      }
    }
    if (!rows.length) return;
    const seqs = await this.repo.append(rows, tx);
    const committed = this.committed;
    if (!seqs) return () => committed(undefined);
    const stored = rows as OutboxRow[];
    for (let i = 0; i < stored.length; i++) stored[i]!.seq = seqs[i]!;
    return () => committed(stored);
  }
}
