import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Live state the metrics read at scrape time. */
export interface MetricSources {
  instances(): Array<{ name: string; integration: string; state: string }>;
  delivery(): { queued: number; inFlight: number; delivered: number; retried: number; dead: number } | undefined;
  outbox(): Promise<{ pending: number; oldestPendingAgeSeconds: number; dead: number } | undefined>;
  pool(): { total: number; idle: number; waiting: number } | undefined;
  /** Work accepted from channels and not committed yet, and whether the ingest path finds the database unreachable. */
  ingest(): { pending: number; databaseDown: boolean };
  /** Per event transport (webhook, rabbitmq, nats, ...): counters of this process, and the oldest pending row's age. */
  buses?(): Array<{ transport: string; delivered: number; retried: number; dead: number }>;
  busLag?(): Promise<Array<{ transport: string; seconds: number }>>;
  version: string;
  clientName: string;
  serverUrl?: string;
}

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Every metric the gateway exports, in one prom-client registry (names documented in docs/observability.md). */
export class Metrics {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly messages: Counter<'direction' | 'channel'>;
  readonly reconnects: Counter<'reason' | 'channel'>;
  readonly dbQueryDuration: Histogram<'kind'>;
  readonly deliveryLatency: Histogram<string>;
  readonly events: Counter<'event'>;
  readonly holdBacks: Counter<'channel'>;
  /** Messages a channel could not decrypt (Bad MAC, MessageCounterError...); the library asks the sender to retry. */
  readonly decryptFailures: Counter<'channel' | 'reason'>;
  private sources?: MetricSources;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'gateway_' });
    this.httpDuration = new Histogram({ name: 'gateway_http_request_duration_seconds', help: 'HTTP request duration by route template and status', labelNames: ['method', 'route', 'status'], buckets: LATENCY_BUCKETS, registers });
    this.messages = new Counter({ name: 'gateway_messages_total', help: 'Messages sent and received', labelNames: ['direction', 'channel'], registers });
    this.reconnects = new Counter({ name: 'gateway_channel_reconnects_total', help: 'Channel reconnects by disconnect reason', labelNames: ['reason', 'channel'], registers });
    this.dbQueryDuration = new Histogram({ name: 'gateway_db_query_duration_seconds', help: 'Database query duration by statement kind', labelNames: ['kind'], buckets: LATENCY_BUCKETS, registers });
    this.deliveryLatency = new Histogram({ name: 'gateway_webhook_delivery_latency_seconds', help: 'Time from event emission to a 2xx webhook answer', buckets: LATENCY_BUCKETS, registers });
    this.events = new Counter({ name: 'gateway_events_total', help: 'Events emitted (committed) by name', labelNames: ['event'], registers });

    this.holdBacks = new Counter({ name: 'gateway_ingest_hold_backs_total', help: 'Times a channel was told to hold back (ingest queue full)', labelNames: ['channel'], registers });
    this.decryptFailures = new Counter({ name: 'gateway_channel_decrypt_failures_total', help: 'Inbound messages a channel could not decrypt, by reason', labelNames: ['channel', 'reason'], registers });

    const self = this;
    new Gauge({ name: 'gateway_ingest_pending', help: 'Messages and updates accepted from channels and not committed yet', registers, collect() {
      this.set(self.sources?.ingest().pending ?? 0);
    } });
    new Gauge({ name: 'gateway_ingest_database_down', help: '1 while the ingest path finds the database unreachable and holds its work', registers, collect() {
      this.set(self.sources?.ingest().databaseDown ? 1 : 0);
    } });
    new Gauge({
      name: 'gateway_instances',
      help: 'Instances by channel and connection state',
      labelNames: ['channel', 'state'],
      registers,
      collect() {
        this.reset();
        for (const i of self.sources?.instances() ?? []) this.inc({ channel: i.integration, state: i.state });
      },
    });
    // Upstream's metric names, so existing dashboards keep working.
    new Gauge({ name: 'evolution_environment_info', help: 'Server info', labelNames: ['version', 'clientName', 'serverUrl'], registers, collect() {
      this.reset();
      if (self.sources) this.set({ version: self.sources.version, clientName: self.sources.clientName, serverUrl: self.sources.serverUrl ?? '' }, 1);
    } });
    new Gauge({ name: 'evolution_instances_total', help: 'Number of instances', registers, collect() {
      this.set(self.sources?.instances().length ?? 0);
    } });
    new Gauge({ name: 'evolution_instance_up', help: '1 when the instance is open', labelNames: ['instance', 'integration'], registers, collect() {
      this.reset();
      for (const i of self.sources?.instances() ?? []) this.set({ instance: i.name, integration: i.integration }, i.state === 'open' ? 1 : 0);
    } });
    new Gauge({ name: 'evolution_instance_state', help: 'Instance connection state', labelNames: ['instance', 'integration', 'state'], registers, collect() {
      this.reset();
      for (const i of self.sources?.instances() ?? []) this.set({ instance: i.name, integration: i.integration, state: i.state }, 1);
    } });

    const deliveryCounter = (name: string, help: string, pick: (d: NonNullable<ReturnType<MetricSources['delivery']>>) => number) =>
      new Counter({ name, help, registers, collect() {
        const d = self.sources?.delivery();
        this.reset();
        if (d) this.inc(pick(d));
      } });
    deliveryCounter('gateway_webhook_delivered_total', 'Webhook deliveries answered 2xx', (d) => d.delivered);
    deliveryCounter('gateway_webhook_retried_total', 'Webhook attempts that failed and were scheduled again', (d) => d.retried);
    deliveryCounter('gateway_webhook_dead_total', 'Webhook deliveries sent to dead letters', (d) => d.dead);
    new Gauge({ name: 'gateway_webhook_in_flight', help: 'Webhook requests in flight', registers, collect() {
      this.set(self.sources?.delivery()?.inFlight ?? 0);
    } });
    new Gauge({ name: 'gateway_webhook_queued', help: 'Deliveries loaded in this process and waiting', registers, collect() {
      this.set(self.sources?.delivery()?.queued ?? 0);
    } });
    new Gauge({ name: 'gateway_outbox_pending', help: 'Pending deliveries in the outbox (all processes)', registers, async collect() {
      this.set((await self.sources?.outbox())?.pending ?? 0);
    } });
    new Gauge({ name: 'gateway_outbox_oldest_pending_age_seconds', help: 'Age of the oldest pending delivery', registers, async collect() {
      this.set((await self.sources?.outbox())?.oldestPendingAgeSeconds ?? 0);
    } });
    const busCounter = (name: string, help: string, pick: (b: { delivered: number; retried: number; dead: number }) => number) =>
      new Counter({ name, help, labelNames: ['transport'], registers, collect() {
        this.reset();
        for (const b of self.sources?.buses?.() ?? []) this.inc({ transport: b.transport }, pick(b));
      } });
    busCounter('gateway_bus_delivered_total', 'Outbox deliveries confirmed, by transport', (b) => b.delivered);
    busCounter('gateway_bus_retried_total', 'Outbox attempts that failed and were scheduled again, by transport', (b) => b.retried);
    busCounter('gateway_bus_dead_total', 'Outbox deliveries sent to dead letters, by transport', (b) => b.dead);
    new Gauge({ name: 'gateway_bus_lag_seconds', help: 'Age of the oldest pending outbox row, by transport', labelNames: ['transport'], registers, async collect() {
      this.reset();
      for (const l of (await self.sources?.busLag?.()) ?? []) this.set({ transport: l.transport }, l.seconds);
    } });
    new Gauge({ name: 'gateway_db_pool_connections', help: 'Database pool connections by use', labelNames: ['use'], registers, collect() {
      this.reset();
      const p = self.sources?.pool();
      if (!p) return;
      this.set({ use: 'total' }, p.total);
      this.set({ use: 'idle' }, p.idle);
      this.set({ use: 'waiting' }, p.waiting);
    } });
  }

  bind(sources: MetricSources): void {
    this.sources = sources;
  }

  /** Statement kind for the query histogram: select, insert, update, delete, other. */
  static kindOf(sqlText: string): string {
    const m = /^\s*(select|insert|update|delete|with)/i.exec(sqlText);
    return m ? m[1]!.toLowerCase() : 'other';
  }
}
