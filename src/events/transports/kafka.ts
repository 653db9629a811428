import { Kafka, logLevel, type Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { GatewayEvent } from '../../domain/events.js';
import type { OutboxRow } from '../../storage/outboxRepository.js';
import type { Route } from '../outbox/store.js';
import { retryUnlessOk, type AttemptResult, type DeliveryLimits, type OutboxTransport } from '../outbox/transport.js';
import type { EventTransportsConfig } from './config.js';
import { Reconnecting, within } from './connection.js';
import { envelopeJson, instanceAndGlobal, type BusContext } from './routing.js';

type Config = EventTransportsConfig['kafka'];

/** A topic name part: Kafka allows only [a-zA-Z0-9._-]. */
const part = (s: string) => s.replace(/[^a-zA-Z0-9._-]/g, '_');
/** The event in a topic: lower case, `_` as `.` (upstream). */
const topicEvent = (event: string) => event.toLowerCase().replace(/_/g, '.');

/**
 * Topics as upstream names them: `<prefix>.<instance>.<event>` per instance (key: the instance name) and
 * `<prefix>.global.<event>` globally (key: `<instance>-<event>`). The value is the 7-field envelope plus `timestamp`
 * (epoch ms); the row's target is `<topic>\n<key>`.
 */
export function kafkaRouter(config: Config, ctx: BusContext): (event: GatewayEvent) => Route[] {
  const prefix = part(config.topicPrefix);
  return instanceAndGlobal('kafka', config, ctx, {
    body: (event) => envelopeJson(event, ctx, { timestamp: event.createdAt.getTime() }),
    instance: (event) => `${prefix}.${part(event.instanceName)}.${topicEvent(event.event)}\n${event.instanceName}`,
    global: (event) => `${prefix}.global.${topicEvent(event.event)}\n${event.instanceName}-${event.event}`,
  });
}

/**
 * kafkajs's idempotent producer, acks from all in-sync replicas: a row is delivered when its batch was acknowledged.
 * Headers `event`, `instance`, `origin` (KAFKA_CLIENT_ID), `timestamp`, and `event-id` (the event id). One message of a
 * chat at a time (the outbox lane) and one partition key per instance keep per-chat order.
 */
export class KafkaTransport implements OutboxTransport {
  readonly kind = 'kafka';
  readonly limits: DeliveryLimits;
  private readonly producer: Reconnecting<Producer>;

  constructor(private readonly config: Config, private readonly delivery: EventTransportsConfig['delivery'], logger: Logger) {
    this.limits = { ...delivery, concurrencyPerDestination: 1 };
    const kafka = new Kafka({
      clientId: config.clientId,
      brokers: config.brokers,
      connectionTimeout: config.connectionTimeoutMs,
      requestTimeout: config.requestTimeoutMs,
      // The idempotent producer needs retries; kept short: the outbox does the real retrying.
      retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 1000 },
      logLevel: logLevel.NOTHING,
      ssl: config.ssl ? { rejectUnauthorized: config.ssl.rejectUnauthorized, ca: config.ssl.ca, key: config.ssl.key, cert: config.ssl.cert } : undefined,
      sasl: config.sasl ? ({ mechanism: config.sasl.mechanism, username: config.sasl.username, password: config.sasl.password } as never) : undefined,
    });
    this.producer = new Reconnecting<Producer>(
      'kafka',
      async (lost) => {
        const p = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: config.autoCreateTopics });
        p.on(p.events.DISCONNECT, lost);
        await p.connect();
        return p;
      },
      (p) => p.disconnect(),
      logger,
    );
  }

  destinationOf(): string {
    return 'cluster';
  }

  classify = retryUnlessOk;

  send(rows: OutboxRow[]): Promise<AttemptResult[]> {
    const byTopic = new Map<string, Array<{ key: string; value: string; headers: Record<string, string> }>>();
    for (const r of rows) {
      const [topic, key] = r.target.split('\n') as [string, string];
      const list = byTopic.get(topic) ?? [];
      list.push({ key, value: r.body, headers: { event: r.event, instance: r.instanceName, origin: this.config.clientId, timestamp: String(r.createdAt), 'event-id': r.id } });
      byTopic.set(topic, list);
    }
    return this.producer.send(rows, async (producer, started) => {
      await within(producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) }), this.delivery.sendTimeoutMs, 'kafka produce');
      return rows.map((): AttemptResult => ({ ok: true, latencyMs: Date.now() - started }));
    });
  }

  close(): Promise<void> {
    return this.producer.close();
  }
}
