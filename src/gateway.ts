import type { Logger } from 'pino';
import type { Config } from './config.js';
import { isDatabaseUnreachable, openDatabase, ping, type Db } from './storage/db.js';
import { migrateToLatest } from './storage/migrate.js';
import { Repositories } from './storage/repositories.js';
import { EventBus } from './events/bus.js';
import { CommitQueue } from './events/commitQueue.js';
import { WebhookDispatcher } from './events/webhook/dispatcher.js';
import { WebhookSink } from './events/webhook/sink.js';
import { webhookRouter, type TargetOptions } from './events/webhook/targets.js';
import { WebhookTransport } from './events/transports/webhook.js';
import { eventBuses } from './events/transports/index.js';
import type { WebSocketSink } from './events/transports/websocket.js';
import { OutboxStore } from './events/outbox/store.js';
import { DeliveryWorker } from './events/outbox/worker.js';
import { OutboxSink } from './events/outbox/sink.js';
import { SecretBox } from './security/secrets.js';
import { InstanceRegistry } from './domain/registry.js';
import { InstanceService } from './domain/instances.js';
import { MessageService } from './domain/messages.js';
import { ChatQueries } from './domain/chats.js';
import type { ChannelDriver } from './channels/driver.js';
import { channelDrivers } from './channels/drivers.js';
import { IngestBudget } from './domain/ingest/queue.js';
import { IngestWriter } from './domain/ingest/writer.js';
import { IngestCommitter } from './domain/ingest/committer.js';
import type { MediaService } from './media/service.js';
import { createMediaService } from './media/create.js';
import { inlineMediaRefs } from './media/inline.js';
import { MediaIngest } from './domain/mediaIngest.js';
import { proxyServiceOf } from './domain/proxies.js';
import { Metrics } from './observability/metrics.js';
import type { Cache } from './cache/cache.js';
import { createCache } from './cache/factory.js';
import { InstanceCache } from './domain/instanceCache.js';
import { Chatwoot } from './chatbots/chatwoot/service.js';
import { chainStores } from './events/storeChain.js';
import { Chatbots } from './chatbots/chatbots.js';

export interface ResolvedConfig extends Config {
  auth: Config['auth'] & { apiKey: string; encryptionKey: string };
}

/** The composition root: every service of the gateway, wired once. */
export interface Gateway {
  config: ResolvedConfig;
  logger: Logger;
  db: Db;
  repos: Repositories;
  bus: EventBus;
  registry: InstanceRegistry;
  instances: InstanceService;
  messages: MessageService;
  chats: ChatQueries;
  /** The channel drivers, by integration name. */
  drivers: ReadonlyMap<string, ChannelDriver>;
  metrics: Metrics;
  /** Number checks, profile pictures, known contact names (Redis or in-process). */
  cache: Cache;
  /** Media pipeline: loading media given by URL, base64 or upload, and the media store (disk or S3). */
  media: MediaService;
  /** The Chatwoot integration (routes, webhook, sync). */
  chatwoot: Chatwoot;
  /** The chatbot engine (hooked into the inbound path) and the service of the bot routes. */
  chatbots: Chatbots;
  /** socket.io events (WEBSOCKET_ENABLED): attached to the HTTP server by startServer. */
  websocket?: WebSocketSink;
  /** The durable delivery worker (undefined with WEBHOOK_DURABLE=false). */
  worker?: DeliveryWorker;
  /** Stops channels, waits for in-flight deliveries (up to `drainMs`), closes the database. */
  close(drainMs?: number): Promise<void>;
}

export async function createGateway(config: ResolvedConfig, logger: Logger): Promise<Gateway> {
  const metrics = new Metrics();
  const db = await openDatabase(config.database.provider, config.database.uri, {
    sqliteThread: config.database.sqliteThread,
    onQuery: (text, ms) => metrics.dbQueryDuration.observe({ kind: Metrics.kindOf(text) }, ms / 1000),
    onPoolError: (err) => logger.warn({ err: err.message }, 'database connection lost; the pool reconnects on next use'),
  });
  const applied = await migrateToLatest(db);
  if (applied.length) logger.info({ migrations: applied }, 'database migrated');
  const repos = new Repositories(db, config.auth.encryptionKey);
  const registry = new InstanceRegistry();
  const targets: TargetOptions = {
    global: config.webhook.global,
    envelope: { serverUrl: config.server.url, exposeToken: config.auth.exposeTokenInEvents },
    lookup: (id) => registry.getById(id)?.webhook,
  };
  const mediaService = createMediaService(config);
  const inlineMedia = (body: string) => inlineMediaRefs(body, (key) => mediaService.readAll(key));
  const chatwoot = new Chatwoot(db, { enabled: config.chatwoot.enabled, encryptionKey: config.auth.encryptionKey, clientName: config.database.clientName, allowPrivate: config.media.allowPrivateUrls }, logger.child({ component: 'chatwoot' }));
  let worker: DeliveryWorker | undefined;
  let bus: EventBus;
  const box = new SecretBox(config.auth.encryptionKey);
  const buses = await eventBuses(config.events, { envelope: targets.envelope, settingOf: (id, kind) => registry.getById(id)?.transports.get(kind) }, box, logger);
  const wh = config.webhook;
  let dispatcher: WebhookDispatcher | undefined;
  if (wh.durable || buses.transports.length) {
    // Webhooks go through the outbox unless WEBHOOK_DURABLE=false; the event buses always do.
    const transports = [...(wh.durable ? [new WebhookTransport(wh, box, logger.child({ component: 'delivery' }))] : []), ...buses.transports];
    const routers = [...(wh.durable ? [webhookRouter(targets)] : []), ...buses.routers];
    const w = new DeliveryWorker(repos.outbox, { transports, concurrency: wh.concurrency, leaseMs: wh.outboxLeaseMs, deliveredRetentionSeconds: wh.deliveredRetentionSeconds, deadRetentionSeconds: wh.deadRetentionSeconds, logger: logger.child({ component: 'delivery' }), inlineMedia });
    worker = w;
    bus = new EventBus(new CommitQueue(db, chainStores(new OutboxStore(repos.outbox, routers, box, (rows) => w.accept(rows)), chatwoot.store)), logger);
    bus.addSink(new OutboxSink(worker, 10_000));
  } else bus = new EventBus(new CommitQueue(db, chatwoot.store), logger);
  const busContext = { envelope: targets.envelope, settingOf: (id: string, kind: string) => registry.getById(id)?.transports.get(kind) };
  const websocket = config.events.websocket.enabled ? new (await import('./events/transports/websocket.js')).WebSocketSink(config.events.websocket, busContext, registry, config.auth.apiKey, config.cors.origin, logger.child({ component: 'websocket' })) : undefined;
  if (websocket) bus.addSink(websocket);
  if (!wh.durable) {
    dispatcher = new WebhookDispatcher({ retry: wh.retry, timeoutMs: wh.requestTimeoutMs, concurrencyPerDestination: wh.concurrencyPerDestination, logger: logger.child({ component: 'webhook' }), inlineMedia });
    bus.addSink(new WebhookSink(targets, dispatcher));
  }

  const drivers = new Map(channelDrivers(config).map((d) => [d.integration, d]));
  const withTargets = [...drivers.values()].filter((d) => d.eventTargets);
  if (withTargets.length) targets.channel = (event) => withTargets.flatMap((d) => d.eventTargets!(event));
  for (const d of drivers.values()) await d.start?.({ repos, media: mediaService, metrics, logger });

  const cache = await createCache(config.cache, logger);
  const instanceCache = new InstanceCache(cache, config.cache.ttlSeconds);
  mediaService.useProxies((instanceId) => proxyServiceOf({ repos, config, logger }).dispatcherFor(instanceId));
  const media = new MediaIngest(mediaService, repos.media, logger.child({ component: 'media' }), config.media.downloadTimeoutMs);
  const committer = new IngestCommitter(new IngestWriter(repos, bus, instanceCache, media));
  const budget = new IngestBudget(config.ingest.maxPendingPerInstance, config.ingest.maxPendingTotal);
  // A connection error says so itself (the pool may already have a fresh connection for the ping); otherwise ask.
  const reachable = (err: unknown) => (isDatabaseUnreachable(err) ? Promise.resolve(false) : ping(db, 3000).then(() => true, () => false));
  const instances = new InstanceService({ config, repos, registry, bus, drivers, committer, budget, reachable, logger, metrics, cache: instanceCache });
  const messages = new MessageService(repos, bus, instances, instanceCache, metrics);
  instances.messages = messages;
  const chats = new ChatQueries(repos, instances, instanceCache);
  const chatbots = new Chatbots({ config, repos, registry, bus, media: mediaService, messages, instances, logger });

  bus.subscribe((e) => metrics.events.inc({ event: e.event }));
  metrics.bind({
    version: config.version,
    clientName: config.database.clientName,
    serverUrl: config.server.url,
    instances: () => registry.all().map((l) => ({ name: l.name, integration: l.instance.integration, state: l.channel.state })),
    delivery: () => {
      const hooks = worker?.statsByKind.get('webhook');
      return worker && hooks && { queued: worker.snapshot().queued, inFlight: worker.snapshot().inFlight, delivered: hooks.deliveredCount, retried: hooks.retried, dead: hooks.dead };
    },
    buses: () => [...(worker?.statsByKind ?? [])].map(([transport, s]) => ({ transport, delivered: s.deliveredCount, retried: s.retried, dead: s.dead })),
    busLag: async () => (worker ? (await repos.outbox.oldestPendingByKind()).map((o) => ({ transport: o.kind, seconds: (Date.now() - o.oldest) / 1000 })) : []),
    outbox: async () => {
      if (!worker) return undefined;
      const s = await repos.outbox.pendingSummary();
      return { pending: s.pending, oldestPendingAgeSeconds: s.oldestCreatedAt ? (Date.now() - s.oldestCreatedAt) / 1000 : 0, dead: 0 };
    },
    pool: () => db.poolStats(),
    ingest: () => ({ pending: budget.used, databaseDown: budget.databaseDown }),
  });
  const webhookStats = worker?.statsByKind.get('webhook');
  if (webhookStats) webhookStats.onDelivered = (ms) => metrics.deliveryLatency.observe(ms / 1000);
  await worker?.start();
  await chatwoot.start({ repos, messages, media: mediaService, instances, bus });
  const restored = await instances.restoreAll();
  logger.info({ instances: restored }, 'instances restored');
  await chatbots.start();

  return {
    config, logger, db, repos, bus, registry, instances, messages, chats, drivers, worker, metrics, cache, media: mediaService, chatwoot, chatbots, websocket,
    async close(drainMs = 10_000) {
      await chatbots.close();
      await instances.shutdown();
      await chatwoot.stop();
      for (const d of drivers.values()) await d.close?.();
      await bus.drain(drainMs);
      await bus.close();
      await db.close();
      await cache.close();
      await mediaService.close();
    },
  };
}
