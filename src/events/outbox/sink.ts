import type { GatewayEvent } from '../../domain/events.js';
import type { EventSink } from '../sink.js';
import type { DeliveryWorker } from './worker.js';

/** The durable webhook path as seen by the bus: rows are already in the outbox when events are published; wake the worker. */
export class OutboxSink implements EventSink {
  readonly name = 'outbox';
  private scheduled = false;

  constructor(private readonly worker: DeliveryWorker, private readonly drainOnClose: number) {}

  publish(_event: GatewayEvent): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.worker.notify();
    });
  }

  drain(timeoutMs: number): Promise<void> {
    return this.worker.drain(timeoutMs);
  }

  close(): Promise<void> {
    return this.worker.stop(this.drainOnClose);
  }
}
