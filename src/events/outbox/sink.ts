import type { GatewayEvent } from '../../domain/events.js';
import type { EventSink } from '../sink.js';
import type { DeliveryWorker } from './worker.js';

/**
 * The durable webhook path as seen by the bus: when events are published their rows are already in the outbox and
 * handed to the worker (OutboxStore's `committed` hook, right after the commit); this sink drains and stops it.
 */
export class OutboxSink implements EventSink {
  readonly name = 'outbox';

  constructor(private readonly worker: DeliveryWorker, private readonly drainOnClose: number) {}

  publish(_event: GatewayEvent): void {
    // Nothing to do: the worker already has the rows.
  }

  drain(timeoutMs: number): Promise<void> {
    return this.worker.drain(timeoutMs);
  }

  close(): Promise<void> {
    return this.worker.stop(this.drainOnClose);
  }
}
