import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Presence, QrCode } from '../channels/channel.js';
import { HoldBack, type ConnectionUpdate } from '../channels/events.js';
import type { ChannelDriver } from '../channels/driver.js';
import { instanceKeyStore } from '../channels/keyStore.js';
import { ChannelError } from '../channels/errors.js';
import type { Emit, EventBus, EventSource } from '../events/bus.js';
import type { Repositories } from '../storage/repositories.js';
import type { SettingsRow } from '../storage/settingsRepository.js';
import type { WebhookInput } from '../storage/webhookRepository.js';
import type { ProxySettings } from '../storage/proxyRepository.js';
import { badRequest, forbidden, instanceMissing, unavailable } from './errors.js';
import { CONFIGURABLE_EVENT_KEYS } from './events.js';
import { instanceId, instanceToken, nowIso } from './ids.js';
import { InstanceRegistry, LiveInstance } from './registry.js';
import { DEFAULT_SETTINGS, type Instance, type Settings, type WebhookConfig } from './types.js';
import { sha256Hex } from '../security/secrets.js';
import { assertTenantUrl } from '../security/addressGuard.js';
import type { MessageService } from './messages.js';
import type { Metrics } from '../observability/metrics.js';
import type { InstanceCache } from './instanceCache.js';
import { IngestQueue, type IngestBudget } from './ingest/queue.js';
import type { IngestCommitter } from './ingest/committer.js';
import { channelListener } from './channelListener.js';
import { operations, optionalOperations } from './capabilities.js';
import { proxyServiceOf } from './proxies.js';

export interface CreateInstanceInput {
  instanceName: string;
  integration: string;
  token?: string;
  qrcode?: boolean;
  number?: string;
  businessId?: string;
  settings: Partial<Settings>;
  webhook?: WebhookInput;
  proxy?: ProxySettings;
}

export interface CreateInstanceResult {
  live: LiveInstance;
  settings: Settings;
  webhook?: WebhookConfig;
  qrcode?: QrCode;
}

export type ConnectResult = { instance: { instanceName: string; state: string } } | QrCode | { count: number };

export interface InstanceServiceDeps {
  config: Config;
  repos: Repositories;
  registry: InstanceRegistry;
  bus: EventBus;
  drivers: ReadonlyMap<string, ChannelDriver>;
  committer: IngestCommitter;
  budget: IngestBudget;
  /** Whether the database answers after a commit failed with `err` (wait, or give up on the work). */
  reachable: (err: unknown) => Promise<boolean>;
  logger: Logger;
  cache: InstanceCache;
  metrics?: Metrics;
}

/** Instance lifecycle: create, connect, restart, logout, delete, restore at start-up, and the channel events that change state. */
export class InstanceService {
  messages!: MessageService;

  constructor(private readonly deps: InstanceServiceDeps) {}

  get registry(): InstanceRegistry {
    return this.deps.registry;
  }

  require(name: string): LiveInstance {
    const live = this.deps.registry.get(name);
    if (!live) throw instanceMissing(name);
    return live;
  }

  /** Loads every instance of this client from the database and reconnects those with saved credentials. */
  async restoreAll(): Promise<number> {
    const { repos, config } = this.deps;
    const instances = (await repos.instances.list()).filter((i) => i.clientName === config.database.clientName);
    const settings = await repos.settings.findMany(instances.map((i) => i.id));
    const webhooks = new Map((await repos.webhooks.findAll()).map((w) => [w.instanceId, w]));
    const transports = await repos.eventTransports.findAll();
    await Promise.all(
      instances.map(async (instance) => {
        const live = new LiveInstance(instance, settingsOf(settings.get(instance.id)), webhooks.get(instance.id));
        for (const t of transports) if (t.instanceId === instance.id) live.transports.set(t.kind, t);
        const credentials = await repos.authState.load(instance.id);
        if (!this.attachChannel(live, credentials)) return;
        this.deps.bus.emit(live.eventSource, 'application.startup', { instanceName: instance.name, instanceId: instance.id, integration: instance.integration });
        if (credentials !== undefined) await live.channel.connect().catch((e) => this.deps.logger.warn({ instance: instance.name, err: e }, 'reconnect at start-up failed'));
        else if (instance.connectionStatus !== 'close') await this.transition(live, { connectionStatus: 'close' });
        this.scheduleAutoDelete(live);
      }),
    );
    return instances.length;
  }

  async create(input: CreateInstanceInput): Promise<CreateInstanceResult> {
    const { repos, registry, bus, config } = this.deps;
    if (registry.get(input.instanceName) || (await repos.instances.findByName(input.instanceName))) throw forbidden(`This name "${input.instanceName}" is already in use.`);
    if (!this.deps.drivers.has(input.integration)) throw badRequest(`Integration "${input.integration}" is not available on this server`);
    if (input.webhook?.url) await assertTenantUrl(input.webhook.url, { allowPrivate: config.media.allowPrivateUrls });
    const token = input.token ?? instanceToken();
    if (input.token && registry.byToken(input.token).length) throw badRequest('This token is already in use by another instance');

    const now = nowIso();
    const instance: Instance = {
      id: instanceId(), name: input.instanceName, connectionStatus: 'close', ownerJid: null, profileName: null, profilePicUrl: null,
      integration: input.integration, number: input.number ?? null, businessId: input.businessId ?? null, token, tokenHash: sha256Hex(token),
      clientName: config.database.clientName, disconnectionReasonCode: null, disconnectionObject: null, disconnectionAt: null, createdAt: now, updatedAt: now,
    };
    const settings = { ...DEFAULT_SETTINGS, ...input.settings };
    const live = new LiveInstance(instance, settings, undefined);
    // Registered inside the commit so the instance.create event finds the webhook it was created with.
    await bus.commit(async (tx, emit) => {
      await repos.instances.insert(instance, tx);
      await repos.settings.upsert(instance.id, settings, tx);
      live.webhook = input.webhook ? await repos.webhooks.upsert(instance.id, normalizeWebhook(input.webhook), tx) : undefined;
      if (!this.attachChannel(live, undefined)) throw badRequest(`Integration "${input.integration}" is not available on this server`);
      emit(live.eventSource, 'instance.create', { instanceName: instance.name, instanceId: instance.id });
    }).catch((e) => {
      if (registry.get(instance.name) === live) registry.remove(live);
      // A channel that cannot be made from these fields (a Cloud API instance without its phone number id) says why.
      throw e instanceof ChannelError ? badRequest(e.message) : e;
    });
    const webhook = live.webhook;
    // The proxy needs the instance row and is tested over the network, so it is set after the commit; when that fails the
    // instance is removed again, as upstream does for any failure after the row was written.
    if (input.proxy) {
      await this.proxies.set(instance.id, input.proxy).catch(async (e) => {
        await this.remove(live, false).catch((err) => this.deps.logger.error({ instance: instance.name, err }, 'removing the instance after a failed create failed'));
        throw e;
      });
    }
    this.scheduleAutoDelete(live);

    let qrcode: QrCode | undefined;
    if (input.qrcode) qrcode = (await live.channel.connect({ number: input.number })) ?? undefined;
    return { live, settings, webhook, qrcode };
  }

  async connect(name: string, number?: string): Promise<ConnectResult> {
    const live = this.require(name);
    const { channel } = live;
    if (channel.state === 'open') return { instance: { instanceName: name, state: 'open' } };
    const qr = channel.state === 'connecting' && !number ? channel.currentQr() : await this.channelCall(() => channel.connect({ number }));
    if (qr) return qr;
    const state = channel.state as string;
    return state === 'open' ? { instance: { instanceName: name, state } } : { count: 0 };
  }

  async restart(name: string): Promise<ConnectResult> {
    const live = this.require(name);
    if (live.channel.state !== 'close') await live.channel.close();
    return this.connect(name);
  }

  async logout(name: string): Promise<void> {
    const live = this.require(name);
    if (live.channel.state === 'close') throw badRequest(`The "${name}" instance is not connected`);
    await live.channel.logout();
    await this.inOrder(live, 'logout', () => this.closed(live, 401, true));
  }

  async delete(name: string): Promise<void> {
    const live = this.require(name);
    if (live.deleteTimer) clearTimeout(live.deleteTimer);
    if (live.channel.state !== 'close') {
      await live.channel.logout();
      await this.inOrder(live, 'logout', () => this.closed(live, 401, true));
    }
    await this.remove(live, true);
  }

  /** Drops the instance and everything stored for it; `deleted` when the client asked for it (instance.delete). */
  private async remove(live: LiveInstance, deleted: boolean): Promise<void> {
    const { bus, repos, registry } = this.deps;
    await live.channel.close();
    await this.inOrder(live, 'delete', () =>
      bus.commit(async (tx, emit) => {
        if (deleted) emit(live.eventSource, 'instance.delete', { instanceName: live.name, instanceId: live.id });
        emit(live.eventSource, 'remove.instance', null);
        await repos.instances.delete(live.id, tx);
      }),
    );
    registry.remove(live);
    this.proxies.forget(live.id);
    await this.deps.cache.forgetInstance(live.id);
  }

  private get proxies() {
    return proxyServiceOf(this.deps);
  }

  async setPresence(name: string, presence: Presence): Promise<void> {
    const live = this.require(name);
    const ops = operations(live, 'presence');
    await this.channelCall(() => ops.sendPresence(presence));
  }

  async setSettings(live: LiveInstance, settings: Settings): Promise<SettingsRow> {
    const row = await this.deps.repos.settings.upsert(live.id, settings);
    live.settings = settingsOf(row);
    live.channel.settingsChanged?.(live.settings);
    return row;
  }

  async setWebhook(live: LiveInstance, input: WebhookInput): Promise<WebhookConfig> {
    if (input.url) await assertTenantUrl(input.url, { allowPrivate: this.deps.config.media.allowPrivateUrls });
    live.webhook = await this.deps.repos.webhooks.upsert(live.id, normalizeWebhook(input));
    return live.webhook;
  }

  /** Translates channel refusals (not connected, ...) into 400s, and holding back into 503 (nothing was taken: send it again). */
  async channelCall<T>(fn: () => T | Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof ChannelError) throw badRequest(e.message);
      if (e instanceof HoldBack) throw unavailable('The gateway is holding back: too much work is waiting. Send it again later.', e.retryAfterMs);
      throw e;
    }
  }

  async shutdown(): Promise<void> {
    const all = this.deps.registry.all();
    for (const live of all) if (live.deleteTimer) clearTimeout(live.deleteTimer);
    await Promise.all(all.map((l) => l.channel.close().catch(() => undefined)));
    // Waits at most 10 s: what an unreachable database still holds then goes with the process, never acknowledged.
    await Promise.race([Promise.all(all.map((l) => l.ingest.idle())), new Promise((r) => setTimeout(r, 10_000).unref())]);
  }

  /** Resolves when the instance's queued work is committed. */
  idle(live: LiveInstance): Promise<void> {
    return live.ingest.idle();
  }

  /** Runs `run` in order with the instance's queued work. */
  private inOrder(live: LiveInstance, what: string, run: () => Promise<unknown>): Promise<void> {
    return live.ingest.push({ kind: 'step', what, run: async () => void (await run()) });
  }

  private attachChannel(live: LiveInstance, credentials: unknown): boolean {
    const { drivers, repos, logger, committer, budget, reachable, bus } = this.deps;
    const driver = drivers.get(live.instance.integration);
    if (!driver) {
      logger.warn({ instance: live.name, integration: live.instance.integration }, 'no channel for this integration on this server; instance not loaded');
      return false;
    }
    live.driver = driver;
    live.ingest = new IngestQueue({
      budget,
      reachable,
      logger: logger.child({ instance: live.name }),
      onHoldBack: () => this.deps.metrics?.holdBacks.inc({ channel: driver.integration }),
      commit: async (works) => {
        const outcome = await committer.commit(live, works);
        this.messages.afterCommit(live, outcome);
      },
    });
    const listener = channelListener(live, { bus, repos, connectionChanged: (l, u) => this.connectionChanged(l, u) });
    const { instance } = live;
    live.channel = driver.create({ instanceId: instance.id, instanceName: instance.name, number: instance.number, businessId: instance.businessId, token: instance.token, settings: live.settings, keys: instanceKeyStore(repos, instance.id), credentials, listener });
    this.deps.registry.add(live);
    return true;
  }

  async connectionChanged(live: LiveInstance, u: ConnectionUpdate): Promise<void> {
    if (u.state === 'open') {
      if (live.deleteTimer) clearTimeout(live.deleteTimer);
      await this.transition(live, { connectionStatus: 'open', ownerJid: u.wuid ?? null, profileName: u.profileName ?? null, profilePicUrl: u.profilePictureUrl ?? null, disconnectionReasonCode: null, disconnectionObject: null, disconnectionAt: null }, (emit, src) =>
        emit(src, 'connection.update', { instance: live.name, wuid: u.wuid, profileName: u.profileName, profilePictureUrl: u.profilePictureUrl ?? null, state: 'open', statusReason: u.statusReason }),
      );
      if (live.settings.alwaysOnline) await optionalOperations(live, 'presence')?.sendPresence('available').catch(() => undefined);
      return;
    }
    if (u.state === 'connecting') {
      if (u.statusReason !== 200) this.deps.metrics?.reconnects.inc({ reason: String(u.statusReason), channel: live.instance.integration });
      await this.transition(live, { connectionStatus: 'connecting' }, (emit, src) => emit(src, 'connection.update', { instance: live.name, state: 'connecting', statusReason: u.statusReason }));
      return;
    }
    if (u.state === 'refused') {
      await this.transition(live, { connectionStatus: 'close' }, (emit, src) =>
        emit(src, 'connection.update', { instance: live.name, state: 'refused', statusReason: u.statusReason, wuid: live.instance.ownerJid, profileName: live.instance.profileName, profilePictureUrl: live.instance.profilePicUrl }),
      );
      this.scheduleAutoDelete(live);
      return;
    }
    await this.closed(live, u.statusReason, u.loggedOut ?? false);
  }

  /** The connection ended for good: record why, tell the client, forget the owner when logged out. */
  private async closed(live: LiveInstance, statusReason: number, loggedOut: boolean): Promise<void> {
    if (loggedOut) await this.deps.cache.forgetAccount(live.id);
    if (live.instance.connectionStatus === 'close' && live.instance.disconnectionReasonCode === statusReason) return;
    const disconnectionAt = nowIso();
    const disconnectionObject = JSON.stringify({ error: { output: { statusCode: statusReason } }, date: disconnectionAt });
    await this.transition(live, { connectionStatus: 'close', disconnectionReasonCode: statusReason, disconnectionObject, disconnectionAt }, (emit, src) => {
      emit(src, 'connection.update', { instance: live.name, state: 'close', statusReason });
      emit(src, 'status.instance', { instance: live.name, status: 'closed', disconnectionAt, disconnectionReasonCode: statusReason, disconnectionObject });
      if (loggedOut) emit(src, 'logout.instance', null);
    });
    this.scheduleAutoDelete(live);
  }

  /** Changes the instance row and emits the events it causes, in one commit. */
  private async transition(live: LiveInstance, patch: Partial<Instance>, events?: (emit: Emit, source: EventSource) => void): Promise<void> {
    live.instance = { ...live.instance, ...patch, updatedAt: nowIso() };
    await this.deps.bus.commit(async (tx, emit) => {
      await this.deps.repos.instances.updateState(live.id, patch, tx);
      events?.(emit, live.eventSource);
    });
  }

  /** DEL_INSTANCE: an instance that is not open after N minutes is removed. */
  private scheduleAutoDelete(live: LiveInstance): void {
    const minutes = this.deps.config.delInstanceMinutes;
    if (minutes === false || live.channel.state === 'open') return;
    if (live.deleteTimer) clearTimeout(live.deleteTimer);
    live.deleteTimer = setTimeout(() => {
      if (this.deps.registry.get(live.name) !== live || live.channel.state === 'open') return;
      this.delete(live.name).catch((err) => this.deps.logger.error({ instance: live.name, err }, 'auto-delete failed'));
    }, minutes * 60_000);
    live.deleteTimer.unref();
  }
}

export function settingsOf(row: SettingsRow | undefined): Settings {
  if (!row) return { ...DEFAULT_SETTINGS };
  const { rejectCall, msgCall, groupsIgnore, alwaysOnline, readMessages, readStatus, syncFullHistory, wavoipToken } = row;
  return { rejectCall, msgCall, groupsIgnore, alwaysOnline, readMessages, readStatus, syncFullHistory, wavoipToken };
}

/** Upstream storage rules: disabled stores no events, an empty list means every event. */
function normalizeWebhook(input: WebhookInput): WebhookInput {
  const events = !input.enabled ? [] : input.events.length ? [...new Set(input.events)] : [...CONFIGURABLE_EVENT_KEYS];
  return { ...input, events };
}
