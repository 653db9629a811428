import { connect, headers, type JetStreamClient, type NatsConnection } from 'nats';
import type { Logger } from 'pino';
import type { GatewayEvent } from '../../domain/events.js';
import type { OutboxRow } from '../../storage/outboxRepository.js';
import type { Route } from '../outbox/store.js';
import { retryUnlessOk, type AttemptResult, type DeliveryLimits, type OutboxTransport } from '../outbox/transport.js';
import type { EventTransportsConfig } from './config.js';
import { Reconnecting, within } from './connection.js';
import { envelopeJson, instanceAndGlobal, type BusContext } from './routing.js';

type Config = EventTransportsConfig['nats'];

/** Subjects as upstream names them: `<instance>.<event>` per instance, `<PREFIX>.<event>` (or `<event>`) globally. */
export function natsRouter(config: Config, ctx: BusContext): (event: GatewayEvent) => Route[] {
  return instanceAndGlobal('nats', config, ctx, {
    body: (event) => envelopeJson(event, ctx),
    instance: (event) => `${event.instanceName}.${event.event}`,
    global: (event) => (config.prefix ? `${config.prefix}.${event.event}` : event.event),
  });
}

interface Link {
  nc: NatsConnection;
  js?: JetStreamClient;
}

/**
 * With NATS_JETSTREAM_ENABLED a row is delivered when the stream that captures its subject acknowledged it (stored;
 * `Nats-Msg-Id` = the event id, so the stream drops a resend within its duplicate window); a subject no stream
 * captures is retried until one does. Without it, core NATS: published, then a flush round trip proves the server
 * took it (core NATS itself keeps nothing for subscribers that are away: docs/events.md).
 */
export class NatsTransport implements OutboxTransport {
  readonly kind = 'nats';
  readonly limits: DeliveryLimits;
  private readonly link: Reconnecting<Link>;

  constructor(private readonly config: Config, private readonly delivery: EventTransportsConfig['delivery'], logger: Logger) {
    this.limits = delivery;
    this.link = new Reconnecting<Link>('nats', (lost) => this.open(lost), (l) => l.nc.close(), logger);
  }

  destinationOf(): string {
    return 'server';
  }

  classify = retryUnlessOk;

  send(rows: OutboxRow[]): Promise<AttemptResult[]> {
    const enc = (r: OutboxRow) => Buffer.from(r.body);
    return this.link.send(rows, async (link, started) => {
      if (link.js) {
        const js = link.js;
        const acks = rows.map((r) =>
          js.publish(r.target, enc(r), { msgID: r.id, timeout: this.delivery.sendTimeoutMs }).then(
            (): AttemptResult => ({ ok: true, latencyMs: Date.now() - started }),
            (e: Error): AttemptResult => ({ ok: false, latencyMs: Date.now() - started, error: e.message }),
          ),
        );
        return Promise.all(acks);
      }
      for (const r of rows) {
        const h = headers();
        h.set('Nats-Msg-Id', r.id);
        h.set('Content-Type', 'application/json');
        link.nc.publish(r.target, enc(r), { headers: h });
      }
      await within(link.nc.flush(), this.delivery.sendTimeoutMs, 'nats flush');
      return rows.map(() => ({ ok: true, latencyMs: Date.now() - started }));
    });
  }

  close(): Promise<void> {
    return this.link.close();
  }

  private async open(lost: () => void): Promise<Link> {
    const u = new URL(this.config.uri);
    const nc = await connect({ servers: `${u.hostname}:${u.port || 4222}`, user: u.username ? decodeURIComponent(u.username) : undefined, pass: u.password ? decodeURIComponent(u.password) : undefined, reconnect: false, timeout: 5000, name: 'wa-gateway' });
    void nc.closed().then(lost);
    return { nc, js: this.config.jetstream ? nc.jetstream() : undefined };
  }
}
