import { sql } from 'kysely';
import type { Db } from './db.js';
import type { ChatbotSessionTable, ChatbotTable } from './schema.js';
import { bit, flag, fromJson, toJson } from './json.js';
import { nowIso, rowId } from '../domain/ids.js';
import type { Executor } from './instanceRepository.js';
import type { SecretBox } from '../security/secrets.js';
import type { Behaviour, Bot, BotKind, BotSession, KindSettings, PendingInput, SessionStatus, TriggerOperator, TriggerType } from '../chatbots/types.js';

export type BotInput = Omit<Bot, 'id' | 'instanceId' | 'kind' | 'createdAt' | 'updatedAt'>;
export type StoredSettings = Omit<KindSettings, 'createdAt' | 'updatedAt' | 'id'>;
export type SessionPatch = Partial<Pick<BotSession, 'status' | 'awaitUser' | 'sessionId' | 'context' | 'parameters' | 'pending' | 'dueAt' | 'pushName' | 'botId' | 'kind'>>;

/** Bots of every kind, their kinds' settings, and the chats' sessions; secrets sealed at rest. */
export class ChatbotRepository {
  constructor(private readonly db: Db, private readonly box: SecretBox) {}

  // --- bots

  async createBot(instanceId: string, kind: BotKind, b: BotInput): Promise<Bot> {
    const now = nowIso();
    const id = rowId();
    await this.db.kysely.insertInto('chatbots').values({ id, instanceId, kind, createdAt: now, updatedAt: now, ...this.botColumns(b) }).execute();
    return (await this.bot(instanceId, id))!;
  }

  async updateBot(instanceId: string, id: string, b: BotInput): Promise<Bot | undefined> {
    await this.db.kysely.updateTable('chatbots').set({ ...this.botColumns(b), updatedAt: nowIso() }).where('instanceId', '=', instanceId).where('id', '=', id).execute();
    return this.bot(instanceId, id);
  }

  /** Deletes the bot and (by cascade, and explicitly for databases without it) its sessions. */
  async deleteBot(instanceId: string, id: string): Promise<boolean> {
    return this.db.kysely.transaction().execute(async (tx) => {
      await tx.deleteFrom('chatbotSessions').where('instanceId', '=', instanceId).where('botId', '=', id).execute();
      const r = await tx.deleteFrom('chatbots').where('instanceId', '=', instanceId).where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    });
  }

  async bot(instanceId: string, id: string, tx: Executor = this.db.kysely): Promise<Bot | undefined> {
    const row = await tx.selectFrom('chatbots').selectAll().where('instanceId', '=', instanceId).where('id', '=', id).executeTakeFirst();
    return row && this.toBot(row);
  }

  async bots(instanceId: string, kind?: BotKind): Promise<Bot[]> {
    let q = this.db.kysely.selectFrom('chatbots').selectAll().where('instanceId', '=', instanceId);
    if (kind) q = q.where('kind', '=', kind);
    return (await q.orderBy('createdAt').orderBy('id').execute()).map((r) => this.toBot(r));
  }

  private botColumns(b: BotInput) {
    return {
      enabled: bit(b.enabled),
      description: b.description,
      triggerType: b.triggerType,
      triggerOperator: b.triggerOperator,
      triggerValue: b.triggerValue,
      behaviour: toJson(b.behaviour),
      config: toJson(b.config),
      secrets: Object.keys(b.secrets).length ? this.box.seal(JSON.stringify(b.secrets)) : '',
    };
  }

  private toBot(r: ChatbotTable): Bot {
    return {
      id: r.id,
      instanceId: r.instanceId,
      kind: r.kind as BotKind,
      enabled: flag(r.enabled),
      description: r.description,
      triggerType: r.triggerType as TriggerType,
      triggerOperator: r.triggerOperator as TriggerOperator | null,
      triggerValue: r.triggerValue,
      behaviour: fromJson<Partial<Behaviour>>(r.behaviour, {}),
      config: fromJson<Record<string, unknown>>(r.config, {}),
      secrets: r.secrets ? (JSON.parse(this.box.open(r.secrets)) as Record<string, string>) : {},
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    };
  }

  // --- settings of a kind

  async settings(instanceId: string, kind: BotKind): Promise<KindSettings | undefined> {
    const row = await this.db.kysely.selectFrom('chatbotSettings').selectAll().where('instanceId', '=', instanceId).where('kind', '=', kind).executeTakeFirst();
    return row && { ...fromJson<StoredSettings>(row.settings, {} as StoredSettings), id: row.id, createdAt: row.createdAt, updatedAt: row.updatedAt };
  }

  async saveSettings(instanceId: string, kind: BotKind, s: StoredSettings): Promise<KindSettings> {
    const now = nowIso();
    const insert = this.db.kysely.insertInto('chatbotSettings').values({ id: rowId(), instanceId, kind, settings: toJson(s), createdAt: now, updatedAt: now });
    await (this.db.provider === 'mysql'
      ? insert.onDuplicateKeyUpdate({ settings: sql`values(${sql.ref('settings')})`, updatedAt: now })
      : insert.onConflict((oc) => oc.columns(['instanceId', 'kind']).doUpdateSet((eb) => ({ settings: eb.ref('excluded.settings'), updatedAt: now })))
    ).execute();
    return (await this.settings(instanceId, kind))!;
  }

  // --- sessions

  async session(instanceId: string, remoteJid: string): Promise<BotSession | undefined> {
    const row = await this.db.kysely.selectFrom('chatbotSessions').selectAll().where('instanceId', '=', instanceId).where('remoteJid', '=', remoteJid).executeTakeFirst();
    return row && toSession(row);
  }

  async sessionById(id: string): Promise<BotSession | undefined> {
    const row = await this.db.kysely.selectFrom('chatbotSessions').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toSession(row);
  }

  /** Opens the chat's session; the database refuses a second one for the chat, and the one already there is returned. */
  async openSession(s: { instanceId: string; botId: string; kind: BotKind; remoteJid: string; pushName: string | null; status: SessionStatus; sessionId?: string; pending?: PendingInput[]; dueAt?: number | null; parameters?: Record<string, unknown> | null }): Promise<BotSession> {
    const now = nowIso();
    const row: ChatbotSessionTable = {
      id: rowId(),
      instanceId: s.instanceId,
      botId: s.botId,
      kind: s.kind,
      remoteJid: s.remoteJid,
      pushName: s.pushName,
      sessionId: s.sessionId ?? s.remoteJid,
      status: s.status,
      awaitUser: 0,
      context: null,
      parameters: s.parameters ? toJson(s.parameters) : null,
      pending: s.pending?.length ? toJson(s.pending) : null,
      dueAt: s.dueAt ?? null,
      createdAt: now,
      updatedAt: now,
    };
    const insert = this.db.kysely.insertInto('chatbotSessions').values(row);
    await (this.db.provider === 'mysql' ? insert.onDuplicateKeyUpdate({ id: sql`id` }) : insert.onConflict((oc) => oc.columns(['instanceId', 'remoteJid']).doNothing())).execute();
    return (await this.session(s.instanceId, s.remoteJid))!;
  }

  /** Changes a session; `touch` (default) moves updatedAt, which expiry counts from. */
  async updateSession(id: string, patch: SessionPatch, touch = true): Promise<void> {
    const set: Partial<ChatbotSessionTable> = {};
    if (patch.status !== undefined) set.status = patch.status;
    if (patch.awaitUser !== undefined) set.awaitUser = bit(patch.awaitUser);
    if (patch.sessionId !== undefined) set.sessionId = patch.sessionId;
    if (patch.context !== undefined) set.context = patch.context === null ? null : toJson(patch.context);
    if (patch.parameters !== undefined) set.parameters = patch.parameters === null ? null : toJson(patch.parameters);
    if (patch.pending !== undefined) set.pending = patch.pending.length ? toJson(patch.pending) : null;
    if (patch.dueAt !== undefined) set.dueAt = patch.dueAt;
    if (patch.pushName !== undefined) set.pushName = patch.pushName;
    if (patch.botId !== undefined) set.botId = patch.botId;
    if (patch.kind !== undefined) set.kind = patch.kind;
    if (touch) set.updatedAt = nowIso();
    if (!Object.keys(set).length) return;
    await this.db.kysely.updateTable('chatbotSessions').set(set).where('id', '=', id).execute();
  }

  async deleteSession(id: string): Promise<void> {
    await this.db.kysely.deleteFrom('chatbotSessions').where('id', '=', id).execute();
  }

  /** The sessions of a chat held by bots of this kind. */
  async chatSessions(instanceId: string, remoteJid: string, kind: BotKind): Promise<BotSession[]> {
    const rows = await this.db.kysely.selectFrom('chatbotSessions').selectAll().where('instanceId', '=', instanceId).where('remoteJid', '=', remoteJid).where('kind', '=', kind).execute();
    return rows.map(toSession);
  }

  async sessionsOf(instanceId: string, kind: BotKind, botId?: string): Promise<BotSession[]> {
    let q = this.db.kysely.selectFrom('chatbotSessions').selectAll().where('instanceId', '=', instanceId).where('kind', '=', kind);
    if (botId) q = q.where('botId', '=', botId);
    return (await q.orderBy('createdAt').orderBy('id').execute()).map(toSession);
  }

  /** Sessions whose pending input waits for its turn (restored after a restart). */
  async dueSessions(instanceIds: string[]): Promise<BotSession[]> {
    if (!instanceIds.length) return [];
    const rows = await this.db.kysely.selectFrom('chatbotSessions').selectAll().where('dueAt', 'is not', null).where('instanceId', 'in', instanceIds).execute();
    return rows.map(toSession);
  }
}

function toSession(r: ChatbotSessionTable): BotSession {
  return {
    id: r.id,
    instanceId: r.instanceId,
    botId: r.botId,
    kind: r.kind as BotKind,
    remoteJid: r.remoteJid,
    pushName: r.pushName,
    sessionId: r.sessionId,
    status: r.status as SessionStatus,
    awaitUser: flag(r.awaitUser),
    context: fromJson<Record<string, unknown> | null>(r.context, null),
    parameters: fromJson<Record<string, unknown> | null>(r.parameters, null),
    pending: fromJson<PendingInput[]>(r.pending, []),
    dueAt: r.dueAt === null ? null : Number(r.dueAt),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}
