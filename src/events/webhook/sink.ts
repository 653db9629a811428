import type { Config } from '../../config.js';
import { eventKey, eventSuffix, listSelects, type GatewayEvent } from '../../domain/events.js';
import type { WebhookConfig } from '../../domain/types.js';
import { buildEnvelope, type EnvelopeOptions } from '../envelope.js';
import type { EventSink } from '../sink.js';
import type { WebhookDispatcher } from './dispatcher.js';
import { webhookHeaders } from './jwt.js';

export type WebhookLookup = (instanceId: string) => WebhookConfig | undefined;

/** Routes each event to the instance webhook and the global webhook, in the upstream envelope. */
export class WebhookSink implements EventSink {
  readonly name = 'webhook';

  constructor(
    private readonly config: Config['webhook']['global'],
    private readonly lookup: WebhookLookup,
    private readonly envelope: EnvelopeOptions,
    private readonly dispatcher: WebhookDispatcher,
  ) {}

  publish(event: GatewayEvent): void {
    const hook = this.lookup(event.instanceId);
    const instanceTarget = hook && hook.enabled && /^https?:\/\//i.test(hook.url) && (hook.events.length === 0 || listSelects(hook.events, event.event));
    const globalTarget = this.config.enabled && this.config.url && this.config.events[eventKey(event.event)] !== false;
    if (!instanceTarget && !globalTarget) return;

    // Upstream sends the same body to both targets: destination is the instance URL when one is stored.
    const destination = hook?.url ?? `${this.config.url}/${eventSuffix(event.event)}`;
    const body = JSON.stringify(buildEnvelope(event, this.envelope, destination));
    const base = { body, instance: event.instanceName, event: event.event, attempts: 0 };
    if (instanceTarget) {
      const url = hook.webhookByEvents ? `${hook.url.replace(/\/+$/, '')}/${eventSuffix(event.event)}` : hook.url;
      this.dispatcher.enqueue({ ...base, url, headers: webhookHeaders(hook.headers) });
    }
    if (globalTarget) {
      const url = this.config.byEvents ? `${this.config.url}/${eventSuffix(event.event)}` : this.config.url!;
      this.dispatcher.enqueue({ ...base, url, headers: {} });
    }
  }

  drain(timeoutMs: number): Promise<void> {
    return this.dispatcher.drain(timeoutMs);
  }

  close(): Promise<void> {
    return this.dispatcher.close();
  }
}
