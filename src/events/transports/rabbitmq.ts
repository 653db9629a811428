import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import type { Logger } from 'pino';
import type { GatewayEvent } from '../../domain/events.js';
import type { OutboxRow } from '../../storage/outboxRepository.js';
import type { Route } from '../outbox/store.js';
import { retryUnlessOk, type AttemptResult, type DeliveryLimits, type OutboxTransport } from '../outbox/transport.js';
import type { EventTransportsConfig } from './config.js';
import { Reconnecting, within } from './connection.js';
import { envelopeJson, instanceAndGlobal, type BusContext } from './routing.js';

type Config = EventTransportsConfig['rabbitmq'];

/** Target of a row: the exchange and the queue bound to it (the routing key is the event name). */
const target = (exchange: string, queue: string) => JSON.stringify([exchange, queue]);

/**
 * RabbitMQ routing as upstream names it: per instance a durable topic exchange named after the instance and a quorum
 * queue `<instance>.<event>`; globally the exchange RABBITMQ_EXCHANGE_NAME and the queue `<PREFIX>.<event>` (or
 * `<event>`); the routing key is the event name.
 */
export function rabbitRouter(config: Config, ctx: BusContext): (event: GatewayEvent) => Route[] {
  return instanceAndGlobal('rabbitmq', config, ctx, {
    body: (event) => envelopeJson(event, ctx),
    instance: (event) => target(event.instanceName, `${event.instanceName}.${event.event}`),
    global: (event) => target(config.exchange, config.prefix ? `${config.prefix}.${event.event}` : event.event),
  });
}

interface Link {
  model: ChannelModel;
  channel: ConfirmChannel;
  /** Exchanges and queues declared on this connection. */
  declared: Set<string>;
}

/**
 * Publishes with publisher confirms, persistent, `application/json`, the event id as messageId: a row is delivered
 * once the broker confirmed it (it is then in the durable quorum queue). Exchange and queue are declared (idempotently)
 * before the first publish to them on a connection.
 */
export class RabbitTransport implements OutboxTransport {
  readonly kind = 'rabbitmq';
  readonly limits: DeliveryLimits;
  private readonly timeoutMs: number;
  private readonly link: Reconnecting<Link>;

  constructor(private readonly config: Config, delivery: EventTransportsConfig['delivery'], logger: Logger) {
    this.limits = delivery;
    this.timeoutMs = delivery.sendTimeoutMs;
    this.link = new Reconnecting<Link>('rabbitmq', (lost) => this.open(lost), (l) => l.model.close(), logger);
  }

  destinationOf(): string {
    return 'broker';
  }

  classify = retryUnlessOk;

  send(rows: OutboxRow[]): Promise<AttemptResult[]> {
    // A channel error (or no confirm in time) leaves the channel unusable: the connection is dropped and reopened.
    return this.link.send(rows, async (link, started) => {
      for (const r of rows) await this.declare(link, r.target, r.event);
      const confirms = rows.map(
        (r) =>
          new Promise<AttemptResult>((resolve) => {
            const [exchange] = JSON.parse(r.target) as [string, string];
            link.channel.publish(exchange, r.event, Buffer.from(r.body), { persistent: true, contentType: 'application/json', messageId: r.id, type: r.event, timestamp: Math.floor(r.createdAt / 1000), appId: 'wa-gateway' }, (err) =>
              resolve(err ? { ok: false, latencyMs: Date.now() - started, error: `nacked: ${String(err)}` } : { ok: true, latencyMs: Date.now() - started }),
            );
          }),
      );
      return within(Promise.all(confirms), this.timeoutMs, 'rabbitmq publish confirms');
    });
  }

  close(): Promise<void> {
    return this.link.close();
  }

  private async open(lost: () => void): Promise<Link> {
    const u = new URL(this.config.uri);
    if (!u.searchParams.has('frameMax')) u.searchParams.set('frameMax', String(this.config.frameMax));
    if (!u.searchParams.has('heartbeat')) u.searchParams.set('heartbeat', '30');
    const model = await connect(u.toString(), { timeout: 5000 });
    model.on('error', () => undefined);
    model.on('close', lost);
    const channel = await model.createConfirmChannel();
    channel.on('error', () => undefined);
    channel.on('close', lost);
    return { model, channel, declared: new Set() };
  }

  private async declare(link: Link, t: string, event: string): Promise<void> {
    if (link.declared.has(t)) return;
    const [exchange, queue] = JSON.parse(t) as [string, string];
    await link.channel.assertExchange(exchange, 'topic', { durable: true, autoDelete: false });
    await link.channel.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    await link.channel.bindQueue(queue, exchange, event);
    link.declared.add(t);
  }
}
