import type { Logger } from 'pino';
import type { Repositories } from '../../storage/repositories.js';
import type { InstanceRegistry, LiveInstance } from '../../domain/registry.js';
import type { CommittedMessage, InboundHook } from '../../domain/inboundHooks.js';
import type { EventBus } from '../../events/bus.js';
import type { MediaService } from '../../media/service.js';
import type { ChatbotProvider, ProviderLookup, Reply } from '../provider.js';
import type { BotHttp } from '../providers/http.js';
import { BOT_KINDS, type Behaviour, type Bot, type BotKind, type BotSession, type KindSettings, type PendingInput, type SessionStatus } from '../types.js';
import type { AnswerSender } from './answers.js';
import type { BotCatalog } from './catalog.js';
import { behaviourOf, isExpired, isStopWord } from './behaviour.js';
import { inputOf, joined } from './input.js';
import { botForMessage, isIgnored } from './triggers.js';
import { isDatabaseUnreachable } from '../../storage/db.js';

export interface EngineDeps {
  repos: Repositories;
  registry: InstanceRegistry;
  bus: EventBus;
  media: MediaService;
  catalog: BotCatalog;
  sender: AnswerSender;
  http: BotHttp;
  lookup: ProviderLookup;
  logger: Logger;
  serverUrl?: string;
  /** The providers whose integration is enabled. */
  providers: Map<BotKind, ChatbotProvider>;
}

/** How often a turn whose bot platform failed is tried again before its input is dropped. */
const MAX_ATTEMPTS = 3;
const RETRY_MS = 2000;

/**
 * The one engine every bot runs on. For each live message stored (an inbound hook), in order per chat: the chat's
 * session or the bot whose trigger the message meets (or the fallback), ignored chats, the owner's own messages
 * (listen, or pause the bot), expiry, the stop word; then the input waits in the session for the debounce (stored,
 * with its due time, so a restart resumes it) and is handed to the bot's provider as one turn; the answers go out
 * through the send pipeline.
 */
export class ChatbotEngine implements InboundHook {
  readonly name = 'chatbots';
  private readonly chains = new Map<string, Promise<void>>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly attempts = new Map<string, number>();
  private closed = false;

  constructor(private readonly deps: EngineDeps) {}

  committed(live: LiveInstance, messages: CommittedMessage[]): void {
    if (this.closed) return;
    for (const m of messages) {
      if (m.origin === 'api') continue;
      const jid = m.message.key.remoteJid;
      if (jid === 'status@broadcast' || jid.endsWith('@newsletter') || jid.endsWith('@broadcast')) continue;
      void this.inOrder(live.id, jid, () => this.whileDatabaseAway(() => this.onMessage(live, m)));
    }
  }

  /** Schedules the turns that were waiting when the process stopped. */
  async start(): Promise<void> {
    const due = await this.deps.repos.chatbots.dueSessions(this.deps.registry.all().map((l) => l.id));
    for (const s of due) this.schedule(s);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.chains.values()]);
  }

  /** Resolves when nothing is running or queued for the chat (tests, shutdown). */
  async idle(instanceId: string, remoteJid: string): Promise<void> {
    for (let p = this.chains.get(`${instanceId}|${remoteJid}`); p; p = this.chains.get(`${instanceId}|${remoteJid}`)) await p.catch(() => undefined);
  }

  /** Runs `work` after everything queued for the chat: a chat's messages, turns and status changes never overlap. */
  inOrder(instanceId: string, remoteJid: string, work: () => Promise<void>): Promise<void> {
    const key = `${instanceId}|${remoteJid}`;
    const next = (this.chains.get(key) ?? Promise.resolve()).then(work).catch((err: unknown) => this.deps.logger.error({ err, instanceId, remoteJid }, 'chatbot step failed'));
    this.chains.set(key, next);
    void next.finally(() => {
      if (this.chains.get(key) === next) this.chains.delete(key);
    });
    return next;
  }

  /**
   * Runs a step again, with backoff (0.2 s doubling to 5 s), for as long as the database is unreachable: a message or
   * a turn is not dropped for a database outage (the chat waits; other chats too, on the same database).
   */
  private async whileDatabaseAway(step: () => Promise<void>): Promise<void> {
    for (let wait = 200; ; wait = Math.min(wait * 2, 5000)) {
      try {
        return await step();
      } catch (err) {
        if (this.closed || !isDatabaseUnreachable(err)) throw err;
        this.deps.logger.warn({ err: (err as Error).message, retryInMs: wait }, 'chatbot step waits for the database');
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  private enabled(kind: BotKind): ChatbotProvider | undefined {
    return this.deps.providers.get(kind);
  }

  private async onMessage(live: LiveInstance, { message, origin }: CommittedMessage): Promise<void> {
    const { repos, catalog } = this.deps;
    const input = inputOf(message);
    if (!input || !(await catalog.hasBots(live.id))) return;
    const jid = message.key.remoteJid;
    const fromMe = origin === 'phone';
    const session = await repos.chatbots.session(live.id, jid);
    if (session) {
      const bot = await catalog.bot(live.id, session.botId);
      if (!bot || !this.enabled(bot.kind)) return;
      const settings = await catalog.settings(live.id, bot.kind);
      const b = behaviourOf(bot, settings);
      if (isIgnored(settings.ignoreJids, jid) || isIgnored(b.ignoreJids, jid)) return;
      if (fromMe && b.stopBotFromMe && session.status === 'opened') return this.setStatus(live, session, 'paused');
      if (fromMe && !b.listeningFromMe) return;
      if (session.status !== 'opened' || !bot.enabled) return;
      if (!isExpired(session, b)) {
        if (isStopWord(input.text, b)) return this.finish(live, session, b.keepOpen);
        return this.accept(session, b, input);
      }
      // An expired conversation ends; the message may open a new one.
      await this.finish(live, session, false);
    }
    const found = await this.botFor(live.id, jid, input.text);
    if (!found) return;
    const b = behaviourOf(found.bot, found.settings);
    if (isIgnored(b.ignoreJids, jid) || (fromMe && !b.listeningFromMe) || isStopWord(input.text, b)) return;
    const opened = await repos.chatbots.openSession({ instanceId: live.id, botId: found.bot.id, kind: found.bot.kind, remoteJid: jid, pushName: fromMe ? null : input.pushName, status: 'opened' });
    await this.accept(opened, b, input);
  }

  /** The bot a message that opens no session goes to: the first kind (upstream's order) with a matching trigger, else a fallback. */
  private async botFor(instanceId: string, jid: string, text: string): Promise<{ bot: Bot; settings: KindSettings } | undefined> {
    const { catalog } = this.deps;
    const kinds = BOT_KINDS.filter((k) => this.enabled(k));
    for (const kind of kinds) {
      const settings = await catalog.settings(instanceId, kind);
      if (isIgnored(settings.ignoreJids, jid)) continue;
      const bot = botForMessage(await catalog.bots(instanceId, kind), text);
      if (bot) return { bot, settings };
    }
    for (const kind of kinds) {
      const settings = await catalog.settings(instanceId, kind);
      if (!settings.fallbackId || isIgnored(settings.ignoreJids, jid)) continue;
      const bot = await catalog.bot(instanceId, settings.fallbackId);
      if (bot?.enabled && bot.kind === kind) return { bot, settings };
    }
    return undefined;
  }

  /** The input waits in the session (stored) until the chat has been quiet for `debounceTime` seconds. */
  private async accept(session: BotSession, b: Behaviour, input: PendingInput): Promise<void> {
    const pending = [...session.pending, input];
    const dueAt = Date.now() + Math.max(0, b.debounceTime) * 1000;
    await this.deps.repos.chatbots.updateSession(session.id, { pending, dueAt, ...(input.pushName && !input.fromMe ? { pushName: input.pushName } : {}) });
    this.schedule({ ...session, dueAt });
  }

  private schedule(s: Pick<BotSession, 'id' | 'instanceId' | 'remoteJid' | 'dueAt'>): void {
    if (this.closed || s.dueAt === null) return;
    clearTimeout(this.timers.get(s.id));
    const timer = setTimeout(() => {
      this.timers.delete(s.id);
      void this.inOrder(s.instanceId, s.remoteJid, () => this.whileDatabaseAway(() => this.turn(s.id)));
    }, Math.max(0, s.dueAt - Date.now()));
    timer.unref();
    this.timers.set(s.id, timer);
  }

  /** The debounce ended: the gathered input goes to the bot, its answers to the chat. */
  private async turn(sessionId: string): Promise<void> {
    const { repos, catalog, registry } = this.deps;
    const session = await repos.chatbots.sessionById(sessionId);
    if (!session || session.dueAt === null || !session.pending.length) return;
    if (session.dueAt > Date.now() + 5) return this.schedule(session);
    const live = registry.getById(session.instanceId);
    const bot = await catalog.bot(session.instanceId, session.botId);
    const provider = bot && this.enabled(bot.kind);
    if (!live || !bot || !provider || session.status !== 'opened') {
      await repos.chatbots.updateSession(session.id, { pending: [], dueAt: null }, false);
      return;
    }
    const settings = await catalog.settings(live.id, bot.kind);
    const b = behaviourOf(bot, settings);
    const input = joined(session.pending);
    let reply: Reply;
    if (!input.text.trim() && (!input.media || input.media.type === 'sticker')) {
      reply = { answers: b.unknownMessage ? [{ type: 'text', text: b.unknownMessage }] : [] };
    } else {
      try {
        reply = await provider.converse({ bot, session, input, behaviour: b, settings, instance: { id: live.id, name: live.name, token: live.instance.token, ...(this.deps.serverUrl ? { serverUrl: this.deps.serverUrl } : {}) }, http: this.deps.http, lookup: this.deps.lookup, mediaBytes: () => this.mediaBytes(live.id, input) });
        this.attempts.delete(session.id);
      } catch (err) {
        const attempt = (this.attempts.get(session.id) ?? 0) + 1;
        this.deps.logger.warn({ instance: live.name, bot: bot.id, kind: bot.kind, attempt, err: (err as Error).message }, 'bot platform failed');
        if (attempt < MAX_ATTEMPTS) {
          this.attempts.set(session.id, attempt);
          const dueAt = Date.now() + RETRY_MS * attempt;
          await repos.chatbots.updateSession(session.id, { dueAt }, false);
          return this.schedule({ ...session, dueAt });
        }
        this.attempts.delete(session.id);
        await repos.chatbots.updateSession(session.id, { pending: [], dueAt: null }, false);
        return;
      }
    }
    await repos.chatbots.updateSession(session.id, { pending: [], dueAt: null, awaitUser: true, ...(reply.sessionId ? { sessionId: reply.sessionId } : {}), ...(reply.context !== undefined ? { context: reply.context } : {}) });
    await this.deps.sender.send(live, session.remoteJid, reply.answers, b);
    if (reply.end) await this.finish(live, session, b.keepOpen);
  }

  /** The conversation ends: with keepOpen the session stays, closed (the bot stays quiet in that chat), else it goes. */
  async finish(live: LiveInstance, session: BotSession, keepOpen: boolean): Promise<void> {
    clearTimeout(this.timers.get(session.id));
    this.timers.delete(session.id);
    if (keepOpen) await this.deps.repos.chatbots.updateSession(session.id, { status: 'closed', pending: [], dueAt: null });
    else await this.deps.repos.chatbots.deleteSession(session.id);
  }

  /** Pauses or reopens a session (the owner took over; changeStatus); Typebot sessions announce it. */
  async setStatus(live: LiveInstance, session: BotSession, status: SessionStatus): Promise<void> {
    if (status !== 'opened') {
      clearTimeout(this.timers.get(session.id));
      this.timers.delete(session.id);
    }
    await this.deps.repos.chatbots.updateSession(session.id, { status, ...(status === 'opened' ? {} : { pending: [], dueAt: null }) });
    if (session.kind === 'typebot') await this.announce(live, 'typebot.change-status', { remoteJid: session.remoteJid, status, session: { ...session, status } }, session.remoteJid);
  }

  async announce(live: LiveInstance, event: 'typebot.change-status' | 'typebot.start', data: unknown, remoteJid: string): Promise<void> {
    await this.deps.bus.commit(async (_tx, emit) => emit(live.eventSource, event, data, remoteJid));
  }

  /** Hands a turn to the bot now (Typebot's start route), outside any trigger. */
  async startTurn(live: LiveInstance, session: BotSession, b: Behaviour, reply: Reply): Promise<void> {
    await this.inOrder(live.id, session.remoteJid, async () => {
      await this.deps.repos.chatbots.updateSession(session.id, { awaitUser: true, ...(reply.sessionId ? { sessionId: reply.sessionId } : {}), ...(reply.context !== undefined ? { context: reply.context } : {}) });
      await this.deps.sender.send(live, session.remoteJid, reply.answers, b);
      if (reply.end) await this.finish(live, session, b.keepOpen);
    });
  }

  private async mediaBytes(instanceId: string, input: PendingInput): Promise<Buffer | undefined> {
    if (!input.media) return undefined;
    const row = await this.deps.repos.media.findByMessage(instanceId, input.keyId);
    return row ? this.deps.media.readAll(row.storageKey) : undefined;
  }
}
