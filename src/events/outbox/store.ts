import { createHash } from 'node:crypto';
import type { GatewayEvent } from '../../domain/events.js';
import type { Executor } from '../../storage/instanceRepository.js';
import type { NewOutboxRow, OutboxRepository, OutboxRow } from '../../storage/outboxRepository.js';
import { OUTBOX_PARTITIONS } from '../../storage/migrations/002_outbox.js';
import type { SecretBox } from '../../security/secrets.js';
import type { DurableEventStore } from '../commitQueue.js';
import { SealCache } from './sealCache.js';

/** One delivery of one event: to a target of one kind of transport, with the exact body to send. */
export interface Route {
  kind: string;
  target: string;
  body: string;
  /** Kind-specific extras in clear (sealed in the row): a webhook's custom headers. */
  options?: Record<string, string> | null;
  secret?: string | null;
}

/** Where an event goes on one transport (the webhook targets, the RabbitMQ routing...); [] when nowhere. */
export type Router = (event: GatewayEvent) => Route[];

/**
 * Ordering lane of a delivery: one destination target and one chat of one instance (events without a chat share the
 * instance's lane). Deliveries of a lane go out one at a time, in outbox order. A webhook's key is its URL.
 */
export function laneOf(key: string, instanceId: string, remoteJid: string | undefined): { lane: string; partition: number } {
  const lane = createHash('sha1').update(`${key}|${instanceId}|${remoteJid ?? ''}`).digest('hex');
  return { lane, partition: parseInt(lane.slice(0, 8), 16) % OUTBOX_PARTITIONS };
}

/** Turns committed events into outbox rows, one per route of every transport, in the committing transaction. */
export class OutboxStore implements DurableEventStore {
  private readonly sealer: SealCache;

  /**
   * `committed` (the delivery worker) gets the rows once their transaction has committed, with their seqs when the database returned them
   * (the delivery worker queues them without reading them back), else undefined (it loads them).
   */
  constructor(private readonly repo: OutboxRepository, private readonly routers: Router[], box: SecretBox, private readonly committed: (rows: OutboxRow[] | undefined) => void) {
    this.sealer = new SealCache(box);
  }

  async persist(events: GatewayEvent[], tx: Executor): Promise<(() => void) | void> {
    const rows: NewOutboxRow[] = [];
    const now = Date.now();
    for (const event of events) {
      for (const router of this.routers) {
        for (const r of router(event)) {
          rows.push({
            id: `evt_${event.id}`,
            instanceId: event.instanceId,
            instanceName: event.instanceName,
            event: event.event,
            ...laneOf(r.kind === 'webhook' ? r.target : `${r.kind}:${r.target}`, event.instanceId, event.remoteJid),
            kind: r.kind,
            target: r.target,
            options: r.options ? this.sealer.seal(JSON.stringify(r.options)) : null,
            secret: r.secret ? this.sealer.seal(r.secret) : null,
            body: r.body,
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
