import type { Logger } from 'pino';
import type { Config } from './config.js';
import { openDatabase, type Db } from './storage/db.js';
import { migrateToLatest } from './storage/migrate.js';
import { Repositories } from './storage/repositories.js';
import { EventBus } from './events/bus.js';
import { WebhookDispatcher } from './events/webhook/dispatcher.js';
import { WebhookSink } from './events/webhook/sink.js';
import { InstanceRegistry } from './domain/registry.js';
import { InstanceService } from './domain/instances.js';
import { MessageService } from './domain/messages.js';
import { ChatQueries } from './domain/chats.js';
import { SandboxNetwork } from './channels/sandbox/network.js';
import { SandboxChannel } from './channels/sandbox/channel.js';
import type { ChannelFactory } from './channels/channel.js';
import { HttpMediaFetcher } from './media/fetch.js';

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
  sandbox: SandboxNetwork;
  /** Stops channels, waits for in-flight deliveries (up to `drainMs`), closes the database. */
  close(drainMs?: number): Promise<void>;
}

export async function createGateway(config: ResolvedConfig, logger: Logger): Promise<Gateway> {
  const db = await openDatabase(config.database.provider, config.database.uri);
  const applied = await migrateToLatest(db);
  if (applied.length) logger.info({ migrations: applied }, 'database migrated');
  const repos = new Repositories(db, config.auth.encryptionKey);
  const registry = new InstanceRegistry();
  const bus = new EventBus();

  const dispatcher = new WebhookDispatcher({
    retry: config.webhook.retry,
    timeoutMs: config.webhook.requestTimeoutMs,
    concurrencyPerDestination: config.webhook.concurrencyPerDestination,
    logger: logger.child({ component: 'webhook' }),
  });
  bus.addSink(new WebhookSink(config.webhook.global, (id) => registry.getById(id)?.webhook, { serverUrl: config.server.url, exposeToken: config.auth.exposeTokenInEvents }, dispatcher));

  const sandbox = new SandboxNetwork(config.sandbox.ackDelayMs);
  const channels: Record<string, ChannelFactory> = {};
  if (config.sandbox.enabled) {
    channels.SANDBOX = (ctx) => new SandboxChannel(ctx, { network: sandbox, qrLimit: config.qrcode.limit, qrRefreshMs: config.qrcode.refreshMs, qrColor: config.qrcode.color });
  }

  const instances = new InstanceService({ config, repos, registry, bus, channels, logger });
  const media = new HttpMediaFetcher({ maxBytes: 16 * 1024 * 1024, timeoutMs: 15_000, logger });
  const messages = new MessageService(repos, bus, instances, media);
  instances.messages = messages;
  const chats = new ChatQueries(repos, instances);

  const restored = await instances.restoreAll();
  logger.info({ instances: restored }, 'instances restored');

  return {
    config, logger, db, repos, bus, registry, instances, messages, chats, sandbox,
    async close(drainMs = 10_000) {
      await instances.shutdown();
      sandbox.close();
      await bus.drain(drainMs);
      await bus.close();
      await db.close();
    },
  };
}
