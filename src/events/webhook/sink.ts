import type { GatewayEvent } from '../../domain/events.js';
import type { EventSink } from '../sink.js';
import type { WebhookDispatcher } from './dispatcher.js';
import { resolveTargets, type TargetOptions } from './targets.js';

/** Non-durable webhook delivery (WEBHOOK_DURABLE=false): targets resolved at emit time, sent from memory. */
export class WebhookSink implements EventSink {
  readonly name = 'webhook';

  constructor(private readonly targets: TargetOptions, private readonly dispatcher: WebhookDispatcher) {}

  publish(event: GatewayEvent): void {
    for (const t of resolveTargets(event, this.targets)) {
      const extra = event.correlationId ? { 'x-correlation-id': event.correlationId } : undefined;
      this.dispatcher.enqueue({ ...t, id: `evt_${event.id}`, extra, instance: event.instanceName, event: event.event, attempts: 0 });
    }
  }

  drain(timeoutMs: number): Promise<void> {
    return this.dispatcher.drain(timeoutMs);
  }

  close(): Promise<void> {
    return this.dispatcher.close();
  }
}
