import { connectAsync, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { GatewayEvent } from '../../domain/events.js';
import type { OutboxRow } from '../../storage/outboxRepository.js';
import type { Route } from '../outbox/store.js';
import { retryUnlessOk, type AttemptResult, type DeliveryLimits, type OutboxTransport } from '../outbox/transport.js';
import type { EventTransportsConfig } from './config.js';
import { Reconnecting, within } from './connection.js';
import { envelopeJson, instanceAndGlobal, type BusContext } from './routing.js';

type Config = EventTransportsConfig['mqtt'];

/** A topic level from a name: MQTT's separators and wildcards (`/ + #`) and NUL become `_`. */
const level = (s: string) => s.replace(/[/+#\u0000]/g, '_');

/**
 * Topics per instance and event: `<instance>/<event>` for an instance's own setting, `<MQTT_PREFIX_KEY>/<instance>/<event>`
 * (prefix `evolution` by default) for the global mode, so that `evolution/+/messages.upsert` follows every instance.
 */
export function mqttRouter(config: Config, ctx: BusContext): (event: GatewayEvent) => Route[] {
  const prefix = level(config.prefix ?? 'evolution');
  return instanceAndGlobal('mqtt', config, ctx, {
    body: (event) => envelopeJson(event, ctx),
    instance: (event) => `${level(event.instanceName)}/${event.event}`,
    global: (event) => `${prefix}/${level(event.instanceName)}/${event.event}`,
  });
}

/**
 * MQTT 5 publishes at MQTT_QOS (1 by default: delivered once the broker's PUBACK came), JSON content type, the event
 * id as the user property `event-id`. The client's own reconnect is off: the outbox retries what failed.
 */
export class MqttTransport implements OutboxTransport {
  readonly kind = 'mqtt';
  readonly limits: DeliveryLimits;
  private readonly link: Reconnecting<MqttClient>;

  constructor(private readonly config: Config, private readonly delivery: EventTransportsConfig['delivery'], logger: Logger) {
    this.limits = delivery;
    this.link = new Reconnecting<MqttClient>('mqtt', (lost) => this.open(lost), (c) => c.endAsync(true), logger);
  }

  destinationOf(): string {
    return 'broker';
  }

  classify = retryUnlessOk;

  send(rows: OutboxRow[]): Promise<AttemptResult[]> {
    return this.link.send(rows, (client, started) => {
      const acks = rows.map((r) =>
        client.publishAsync(r.target, r.body, { qos: this.config.qos, properties: { contentType: 'application/json', userProperties: { 'event-id': r.id } } }).then((): AttemptResult => ({ ok: true, latencyMs: Date.now() - started })),
      );
      return within(Promise.all(acks), this.delivery.sendTimeoutMs, 'mqtt publish');
    });
  }

  close(): Promise<void> {
    return this.link.close();
  }

  private async open(lost: () => void): Promise<MqttClient> {
    const client = await connectAsync(this.config.uri, { protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 5000, clientId: this.config.clientId ?? `wa-gateway-${process.pid}-${Math.random().toString(16).slice(2, 8)}`, clean: true });
    client.on('error', () => undefined);
    client.on('close', lost);
    return client;
  }
}
