import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Db } from '../../storage/db.js';
import type { Repositories } from '../../storage/repositories.js';
import type { LiveInstance } from '../../domain/registry.js';
import type { MessageService } from '../../domain/messages.js';
import { MediaMessageService } from '../../domain/mediaMessages.js';
import type { MediaService } from '../../media/service.js';
import type { InstanceService } from '../../domain/instances.js';
import type { EventBus } from '../../events/bus.js';
import { badRequest } from '../../domain/errors.js';
import { guardedDispatcher, assertTenantUrl, type GuardOptions } from '../../security/addressGuard.js';
import { SecretBox, secretsEqual } from '../../security/secrets.js';
import { ChatwootConfigRepository } from './configRepository.js';
import { ChatwootOutboxRepository } from './outboxRepository.js';
import { MessageMap } from './messageMap.js';
import { ChatwootLink, findOrCreateInbox } from './link.js';
import { ChatwootEventStore } from './eventStore.js';
import { ChatwootDeliverer } from './deliverer.js';
import { ChatwootImporter } from './importer.js';
import { ChatwootWebhookHandler, type ChatwootEvent } from './webhookHandler.js';
import { ChatwootError } from './client.js';
import { MASKED_PASSWORD } from '../../domain/proxies.js';
import { publicSettings, settingsOf, UNCONFIGURED, webhookUrlOf, type ChatwootSettings } from './settings.js';

export interface ChatwootOptions {
  /** CHATWOOT_ENABLED: the routes answer 400 "Chatwoot is disabled" otherwise. */
  enabled: boolean;
  encryptionKey: string;
  clientName: string;
  /** Whether Chatwoot may be on loopback or a private network (MEDIA_URL_ALLOW_PRIVATE). */
  allowPrivate: boolean;
  pollMs?: number;
}

/** The gateway parts the integration uses once they exist. */
export interface ChatwootParts {
  repos: Repositories;
  messages: MessageService;
  media: MediaService;
  instances: InstanceService;
  bus: EventBus;
}

export type SetBody = Partial<Omit<ChatwootSettings, 'nameInbox'>> & Pick<ChatwootSettings, 'enabled'> & { nameInbox?: string | null };

/**
 * The Chatwoot integration: `/chatwoot/set|find`, the inbound webhook, and the sync of every instance that has it.
 * Its event store is part of the gateway's commit (created before the event bus); the rest starts with `start`.
 */
export class Chatwoot {
  readonly store: ChatwootEventStore;
  readonly link: ChatwootLink;
  private readonly configs: ChatwootConfigRepository;
  private readonly outbox: ChatwootOutboxRepository;
  private readonly map: MessageMap;
  private readonly guard: GuardOptions;
  private deliverer?: ChatwootDeliverer;
  private handler?: ChatwootWebhookHandler;
  private importer?: ChatwootImporter;

  constructor(db: Db, private readonly options: ChatwootOptions, private readonly logger: Logger) {
    this.guard = { allowPrivate: options.allowPrivate };
    this.configs = new ChatwootConfigRepository(db, new SecretBox(options.encryptionKey));
    this.outbox = new ChatwootOutboxRepository(db);
    this.map = new MessageMap(db);
    this.link = new ChatwootLink(this.configs, guardedDispatcher(this.guard, { keepAliveTimeout: 10_000 }), this.guard);
    this.store = new ChatwootEventStore(this.outbox, (id) => this.link.get(id));
  }

  get enabled(): boolean {
    return this.options.enabled;
  }

  /** Loads the configurations (before instances reconnect, so nothing they receive is missed) and starts delivering. */
  async start(parts: ChatwootParts): Promise<void> {
    await this.link.load(this.options.clientName);
    parts.bus.subscribe((e) => {
      if (e.event === 'instance.delete' || e.event === 'remove.instance') this.link.forget(e.instanceId);
    });
    const media = new MediaMessageService(parts);
    this.handler = new ChatwootWebhookHandler({
      link: this.link, map: this.map, messages: parts.messages, media, logger: this.logger,
      stored: async (instanceId, keyId) => !!(await parts.repos.messages.findByKeyId(instanceId, keyId)),
    });
    this.importer = new ChatwootImporter(parts.repos, this.outbox, this.store);
    this.deliverer = new ChatwootDeliverer({
      outbox: this.outbox, map: this.map, link: this.link, logger: this.logger, pollMs: this.options.pollMs,
      mediaOf: async (instanceId, keyId) => {
        const row = await parts.repos.media.findByMessage(instanceId, keyId);
        return row ? parts.media.readAll(row.storageKey) : undefined;
      },
    });
    this.store.wake = () => this.deliverer?.wake();
    this.deliverer.start();
  }

  async stop(): Promise<void> {
    await this.deliverer?.stop();
  }

  /** Resolves when the outbox has nothing due left to try (tests). */
  idle(): Promise<void> {
    return this.deliverer?.idle() ?? Promise.resolve();
  }

  pending(instanceId: string): Promise<number> {
    return this.outbox.count(instanceId);
  }

  /** `/chatwoot/set`: checks, reaches Chatwoot for the inbox (created with `autoCreate`), stores, imports when asked. */
  async set(live: LiveInstance, body: SetBody, base: string): Promise<ChatwootSettings & { webhook_url: string }> {
    this.assertEnabled();
    if (body.enabled) {
      if (!/^https?:\/\/[^\s/]+/i.test(body.url ?? '')) throw badRequest('url is not valid');
      if (!String(body.accountId ?? '').trim()) throw badRequest('accountId is required');
      if (!body.token) throw badRequest('token is required');
      await assertTenantUrl(body.url!, this.guard, 'chatwoot');
    }
    const settings = settingsOf(body, live.name);
    if (!settings.signMsg) settings.signDelimiter = null;
    const existing = await this.configs.find(live.id);
    const webhookToken = existing?.webhookToken ?? randomBytes(24).toString('base64url');
    const webhookUrl = webhookUrlOf(base, live.name, webhookToken);
    const sameInbox = existing && existing.url === settings.url && existing.accountId === settings.accountId && existing.nameInbox === settings.nameInbox;
    let inboxId = sameInbox ? existing.inboxId : null;
    if (settings.enabled && !inboxId) {
      try {
        inboxId = String(await findOrCreateInbox(this.link.clientOf(settings), settings, webhookUrl));
      } catch (err) {
        // Without autoCreate the inbox may be made later in Chatwoot: deliveries look for it again.
        if (settings.autoCreate || !(err instanceof ChatwootError) || err.status !== 404) throw badRequest(`Chatwoot: ${(err as Error).message}`);
      }
    }
    const stored = await this.configs.upsert(live.id, settings, inboxId, webhookToken);
    this.link.put(stored);
    if (stored.enabled && (body.importContacts === true || body.importMessages === true)) {
      await this.importer!.importAll(stored, { contacts: body.importContacts === true, messages: body.importMessages === true });
    } else if (!stored.enabled) await this.outbox.dropInstance(live.id);
    this.logger.info({ instance: live.name, enabled: stored.enabled, inboxId }, 'chatwoot set');
    return { ...publicSettings(settings), webhook_url: webhookUrl };
  }

  /** `/chatwoot/find`: the stored settings (token masked) and the webhook URL to give Chatwoot. */
  async find(live: LiveInstance, base: string): Promise<Record<string, unknown>> {
    this.assertEnabled();
    const c = await this.configs.find(live.id);
    if (!c) return { ...UNCONFIGURED };
    const { id: _id, instanceId: _i, inboxId: _b, webhookToken, createdAt: _c, updatedAt: _u, ...settings } = c;
    return { ...publicSettings(settings), webhook_url: webhookUrlOf(base, live.name, webhookToken) };
  }

  /** fetchInstances' `Chatwoot` relation: the stored row in upstream's columns (token masked), or null. */
  row(instanceId: string): Record<string, unknown> | null {
    const c = this.link.get(instanceId);
    if (!c) return null;
    const { inboxId: _b, webhookToken: _w, autoCreate: _a, ...columns } = c;
    return { ...columns, token: c.token ? MASKED_PASSWORD : '' };
  }

  /**
   * The Chatwoot fields of `/instance/create` (`chatwootAccountId`, `chatwootToken`, `chatwootUrl` present: configured),
   * with upstream's create defaults: autoCreate, importContacts and importMessages on, 60 days.
   */
  async setAtCreate(live: LiveInstance, body: Record<string, unknown>, base: string): Promise<(ChatwootSettings & { webhook_url: string }) | undefined> {
    const f = (name: string) => body[`chatwoot${name}`];
    if (f('AccountId') === undefined || f('Token') === undefined || f('Url') === undefined) return undefined;
    const opt = <T>(v: unknown, fallback: T): T => (v === undefined || v === null ? fallback : (v as T));
    return this.set(live, {
      enabled: true, accountId: String(f('AccountId')), token: String(f('Token')), url: String(f('Url')), signMsg: opt(f('SignMsg'), false),
      reopenConversation: opt(f('ReopenConversation'), false), conversationPending: opt(f('ConversationPending'), false), importContacts: opt(f('ImportContacts'), true),
      importMessages: opt(f('ImportMessages'), true), daysLimitImportMessages: opt(f('DaysLimitImportMessages'), 60), mergeBrazilContacts: opt(f('MergeBrazilContacts'), false),
      nameInbox: opt<string | null>(f('NameInbox'), null), organization: opt(f('Organization'), ''), logo: opt(f('Logo'), ''), autoCreate: opt(f('AutoCreate'), true),
    }, base);
  }

  /** Whether a webhook post carries the instance's webhook secret (compared in constant time). */
  async webhookAuthorized(live: LiveInstance, token: string | undefined): Promise<boolean> {
    if (!token) return false;
    const c = this.link.get(live.id) ?? (await this.configs.find(live.id));
    return !!c && secretsEqual(token, c.webhookToken);
  }

  /** `/chatwoot/webhook`: an event from Chatwoot (only outgoing agent messages reach WhatsApp). */
  async webhook(live: LiveInstance, event: ChatwootEvent): Promise<{ message: string }> {
    this.assertEnabled();
    const config = this.link.get(live.id);
    if (!config?.enabled) return { message: 'bot' };
    return this.handler!.handle(live, config, event);
  }

  private assertEnabled(): void {
    if (!this.options.enabled) throw badRequest('Chatwoot is disabled');
  }
}
