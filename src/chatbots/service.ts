import type { Repositories } from '../storage/repositories.js';
import type { BotInput } from '../storage/chatbotRepository.js';
import type { LiveInstance } from '../domain/registry.js';
import { badRequest, notFound } from '../domain/errors.js';
import { toJid } from '../domain/jid.js';
import { assertTenantUrl } from '../security/addressGuard.js';
import type { ChatbotProvider, ProviderLookup } from './provider.js';
import { BEHAVIOUR_KEYS, DEFAULT_BEHAVIOUR, type Behaviour, type Bot, type BotSession, type KindSettings, type SessionStatus, type TriggerOperator, type TriggerType } from './types.js';
import type { ChatbotEngine } from './engine/engine.js';
import type { BotCatalog } from './engine/catalog.js';
import { settingsOrDefaults } from './engine/behaviour.js';

/** What create and update take: the common fields and the kind's own. */
export type BotBody = Partial<Behaviour> & {
  enabled: boolean;
  description?: string;
  triggerType: TriggerType;
  triggerOperator?: TriggerOperator;
  triggerValue?: string;
  [field: string]: unknown;
};

export type SettingsBody = Behaviour & { fallbackId?: string | null; [field: string]: unknown };

/** A secret as answers show it: enough to recognise, never enough to use. */
export function maskSecret(value: string): string {
  return value.length <= 8 ? '********' : `${value.slice(0, 3)}****${value.slice(-4)}`;
}

/** The bot routes' operations, the same for every kind; the provider adds its own fields and checks. */
export class ChatbotService {
  constructor(
    private readonly repos: Repositories,
    private readonly catalog: BotCatalog,
    private readonly engine: ChatbotEngine,
    private readonly lookup: ProviderLookup,
    private readonly guard: { allowPrivate: boolean },
    private readonly enabledKinds: ReadonlySet<string>,
  ) {}

  assertEnabled(p: ChatbotProvider): void {
    if (!this.enabledKinds.has(p.kind)) throw badRequest(`${p.label} is disabled`);
  }

  async create(live: LiveInstance, p: ChatbotProvider, body: BotBody): Promise<Record<string, unknown>> {
    this.assertEnabled(p);
    const existing = await this.repos.chatbots.bots(live.id, p.kind);
    await this.checkTriggers(p, body, existing);
    let settings = await this.repos.chatbots.settings(live.id, p.kind);
    if (!settings) {
      const given = Object.fromEntries(BEHAVIOUR_KEYS.filter((k) => body[k] !== undefined).map((k) => [k, body[k]]));
      settings = await this.repos.chatbots.saveSettings(live.id, p.kind, { ...DEFAULT_BEHAVIOUR, ...given, fallbackId: null, extra: {} });
    }
    const input = await this.inputOf(live, p, body, undefined, settings);
    const bot = await this.repos.chatbots.createBot(live.id, p.kind, input);
    this.catalog.invalidate(live.id);
    return this.view(p, bot);
  }

  async update(live: LiveInstance, p: ChatbotProvider, id: string, body: BotBody): Promise<Record<string, unknown>> {
    this.assertEnabled(p);
    const bot = await this.mine(live, p, id);
    const others = (await this.repos.chatbots.bots(live.id, p.kind)).filter((b) => b.id !== id);
    await this.checkTriggers(p, body, others);
    const updated = await this.repos.chatbots.updateBot(live.id, id, await this.inputOf(live, p, body, bot));
    this.catalog.invalidate(live.id);
    return this.view(p, updated!);
  }

  async remove(live: LiveInstance, p: ChatbotProvider, id: string): Promise<{ bot: { id: string } }> {
    this.assertEnabled(p);
    await this.mine(live, p, id);
    await this.repos.chatbots.deleteBot(live.id, id);
    this.catalog.invalidate(live.id);
    return { bot: { id } };
  }

  async find(live: LiveInstance, p: ChatbotProvider): Promise<Array<Record<string, unknown>>> {
    this.assertEnabled(p);
    return (await this.repos.chatbots.bots(live.id, p.kind)).map((b) => this.view(p, b));
  }

  /** The bot, or null (upstream answers null for an id it does not know; another instance's bot is not known here). */
  async fetch(live: LiveInstance, p: ChatbotProvider, id: string): Promise<Record<string, unknown> | null> {
    this.assertEnabled(p);
    const bot = await this.repos.chatbots.bot(live.id, id);
    return bot && bot.kind === p.kind ? this.view(p, bot) : null;
  }

  async saveSettings(live: LiveInstance, p: ChatbotProvider, body: SettingsBody): Promise<Record<string, unknown>> {
    this.assertEnabled(p);
    const fallbackId = body.fallbackId ? body.fallbackId : null;
    if (fallbackId) {
      const fallback = await this.repos.chatbots.bot(live.id, fallbackId);
      if (!fallback || fallback.kind !== p.kind) throw badRequest(`Fallback ${p.label} not found`);
    }
    const extra = Object.fromEntries(Object.keys(p.settingsFields ?? {}).filter((k) => body[k] !== undefined).map((k) => [k, body[k]]));
    if (p.check && Object.keys(extra).length) await p.check(live.id, extra, this.lookup);
    const current = settingsOrDefaults(await this.repos.chatbots.settings(live.id, p.kind));
    const behaviour = Object.fromEntries(BEHAVIOUR_KEYS.map((k) => [k, body[k] ?? current[k]])) as unknown as Behaviour;
    const saved = await this.repos.chatbots.saveSettings(live.id, p.kind, { ...behaviour, fallbackId, extra: { ...current.extra, ...extra } });
    this.catalog.invalidate(live.id);
    return this.settingsView(live, saved);
  }

  async fetchSettings(live: LiveInstance, p: ChatbotProvider): Promise<Record<string, unknown>> {
    this.assertEnabled(p);
    const stored = await this.repos.chatbots.settings(live.id, p.kind);
    if (!stored) return { ...DEFAULT_BEHAVIOUR, fallbackId: '', fallback: null };
    const fallback = stored.fallbackId ? await this.repos.chatbots.bot(live.id, stored.fallbackId) : undefined;
    return { ...this.settingsView(live, stored), fallback: fallback ? this.view(p, fallback) : null };
  }

  /** Opens, pauses, closes or deletes the kind's sessions of a chat, in order with what the engine does there. */
  async changeStatus(live: LiveInstance, p: ChatbotProvider, remoteJidGiven: string, status: SessionStatus | 'delete'): Promise<Record<string, unknown>> {
    this.assertEnabled(p);
    const remoteJid = toJid(remoteJidGiven);
    const settings = settingsOrDefaults(await this.repos.chatbots.settings(live.id, p.kind));
    let changed: BotSession | undefined;
    await this.engine.inOrder(live.id, remoteJid, async () => {
      for (const s of await this.repos.chatbots.chatSessions(live.id, remoteJid, p.kind)) {
        changed = s;
        if (status === 'delete') await this.engine.finish(live, s, false);
        else if (status === 'closed') await this.engine.finish(live, s, settings.keepOpen);
        else await this.engine.setStatus(live, s, status);
      }
    });
    if (p.kind === 'typebot' && (status === 'delete' || status === 'closed')) await this.engine.announce(live, 'typebot.change-status', { remoteJid, status, session: changed ? sessionView(changed) : null }, remoteJid);
    if (status === 'delete') return { bot: { remoteJid, status } };
    return { bot: { instanceName: live.name, instanceId: live.id, bot: { remoteJid, status } } };
  }

  async fetchSessions(live: LiveInstance, p: ChatbotProvider, botId: string): Promise<Array<Record<string, unknown>>> {
    this.assertEnabled(p);
    const bot = await this.repos.chatbots.bot(live.id, botId);
    const sessions = await this.repos.chatbots.sessionsOf(live.id, p.kind, bot && bot.kind === p.kind ? bot.id : undefined);
    return sessions.map(sessionView);
  }

  async ignoreJid(live: LiveInstance, p: ChatbotProvider, remoteJid: string, action: 'add' | 'remove'): Promise<{ ignoreJids: string[] }> {
    this.assertEnabled(p);
    const current = settingsOrDefaults(await this.repos.chatbots.settings(live.id, p.kind));
    const ignoreJids = action === 'add' ? [...new Set([...current.ignoreJids, remoteJid])] : current.ignoreJids.filter((j) => j !== remoteJid);
    const { id: _id, createdAt: _c, updatedAt: _u, ...rest } = current;
    const saved = await this.repos.chatbots.saveSettings(live.id, p.kind, { ...rest, ignoreJids });
    this.catalog.invalidate(live.id);
    return { ignoreJids: saved.ignoreJids };
  }

  /** The instance's bot of this kind, or upstream's "<Label> not found" (another instance's bots are not found). */
  async mine(live: LiveInstance, p: ChatbotProvider, id: string): Promise<Bot> {
    const bot = await this.repos.chatbots.bot(live.id, id);
    if (!bot || bot.kind !== p.kind) throw notFound(`${p.label} not found`);
    return bot;
  }

  private async checkTriggers(p: ChatbotProvider, body: BotBody, others: Bot[]): Promise<void> {
    if (body.triggerType === 'all' && others.some((b) => b.enabled && b.triggerType === 'all')) {
      throw badRequest(`You already have a ${p.label} with an "All" trigger, you cannot have more bots while it is active`);
    }
    if (body.triggerType === 'keyword') {
      if (!body.triggerOperator || !body.triggerValue) throw badRequest('Trigger operator and value are required');
      if (body.triggerOperator === 'regex') {
        try {
          new RegExp(body.triggerValue);
        } catch {
          throw badRequest('Trigger value is not a valid regular expression');
        }
      }
      if (others.some((b) => b.triggerOperator === body.triggerOperator && b.triggerValue === body.triggerValue)) throw badRequest('Trigger already exists');
    }
    if (body.triggerType === 'advanced') {
      if (!body.triggerValue) throw badRequest('Trigger value is required');
      if (others.some((b) => b.triggerValue === body.triggerValue)) throw badRequest('Trigger already exists');
    }
  }

  /** The stored form of a body: behaviour (filled from the kind's settings on create), the kind's config and secrets. */
  private async inputOf(live: LiveInstance, p: ChatbotProvider, body: BotBody, before: Bot | undefined, settings?: KindSettings): Promise<BotInput> {
    const behaviour: Partial<Behaviour> = {};
    for (const k of BEHAVIOUR_KEYS) {
      const v = body[k] ?? (before ? undefined : settings?.[k]);
      if (v !== undefined && v !== null) (behaviour as Record<string, unknown>)[k] = v;
    }
    const config: Record<string, unknown> = {};
    const secrets: Record<string, string> = {};
    for (const field of Object.keys(p.fields)) {
      const value = body[field];
      if (value === undefined || value === null) continue;
      if (field in p.secretFields) {
        const old = before?.secrets[field];
        // A masked value read back from find/fetch and sent again keeps the stored secret.
        secrets[field] = old && value === maskSecret(old) ? old : String(value);
      } else config[field] = value;
    }
    for (const [field, value] of Object.entries(config)) {
      if (typeof value === 'string' && /url$/i.test(field) && value) await assertTenantUrl(value, this.guard, field);
    }
    if (p.check) await p.check(live.id, config, this.lookup);
    return {
      enabled: body.enabled,
      description: body.description ?? null,
      triggerType: body.triggerType,
      triggerOperator: body.triggerOperator ?? null,
      triggerValue: body.triggerValue ?? null,
      behaviour,
      config,
      secrets,
    };
  }

  /** A bot as upstream's row looks: common fields, the kind's fields (secrets masked), timestamps. */
  view(p: ChatbotProvider, bot: Bot): Record<string, unknown> {
    const own: Record<string, unknown> = {};
    for (const field of Object.keys(p.fields)) {
      const name = p.secretFields[field] ?? p.renamed?.[field] ?? field;
      const secret = bot.secrets[field];
      own[name] = field in p.secretFields ? (secret ? maskSecret(secret) : null) : (bot.config[field] ?? null);
    }
    const behaviour = Object.fromEntries(BEHAVIOUR_KEYS.map((k) => [k, bot.behaviour[k] ?? null]));
    return {
      id: bot.id,
      enabled: bot.enabled,
      description: bot.description,
      ...own,
      ...behaviour,
      triggerType: bot.triggerType,
      triggerOperator: bot.triggerOperator,
      triggerValue: bot.triggerValue,
      createdAt: bot.createdAt,
      updatedAt: bot.updatedAt,
      instanceId: bot.instanceId,
    };
  }

  private settingsView(live: LiveInstance, s: KindSettings): Record<string, unknown> {
    const behaviour = Object.fromEntries(BEHAVIOUR_KEYS.map((k) => [k, s[k]]));
    return { ...(s.id ? { id: s.id } : {}), ...behaviour, ...s.extra, fallbackId: s.fallbackId ?? '', createdAt: s.createdAt, updatedAt: s.updatedAt, instanceId: live.id };
  }
}

export function sessionView(s: BotSession): Record<string, unknown> {
  return { id: s.id, sessionId: s.sessionId, remoteJid: s.remoteJid, pushName: s.pushName, status: s.status, awaitUser: s.awaitUser, context: s.context, type: s.kind, parameters: s.parameters, createdAt: s.createdAt, updatedAt: s.updatedAt, botId: s.botId, instanceId: s.instanceId };
}

