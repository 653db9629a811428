import { sql } from 'kysely';
import type { Db } from '../../storage/db.js';
import type { SecretBox } from '../../security/secrets.js';
import { bit, flag, fromJson, toJson } from '../../storage/json.js';
import { nowIso, rowId } from '../../domain/ids.js';
import { cw, type ChatwootConfigTable } from './tables.js';
import type { ChatwootConfig, ChatwootSettings } from './settings.js';

const UPDATED = ['enabled', 'accountId', 'token', 'url', 'nameInbox', 'signMsg', 'signDelimiter', 'number', 'reopenConversation', 'conversationPending', 'mergeBrazilContacts', 'importContacts', 'importMessages', 'daysLimitImportMessages', 'organization', 'logo', 'ignoreJids', 'autoCreate', 'inboxId', 'updatedAt'] as const;

/** One Chatwoot configuration per instance; the Chatwoot token and the webhook secret are sealed at rest. */
export class ChatwootConfigRepository {
  constructor(private readonly db: Db, private readonly box: SecretBox) {}

  /** Stores the settings; the webhook secret is the one already stored, or `webhookToken` for a new row. */
  async upsert(instanceId: string, s: ChatwootSettings, inboxId: string | null, webhookToken: string): Promise<ChatwootConfig> {
    const now = nowIso();
    const values = {
      enabled: bit(s.enabled), accountId: s.accountId, token: s.token ? this.box.seal(s.token) : '', url: s.url, nameInbox: s.nameInbox, signMsg: bit(s.signMsg),
      signDelimiter: s.signDelimiter, number: s.number, reopenConversation: bit(s.reopenConversation), conversationPending: bit(s.conversationPending),
      mergeBrazilContacts: bit(s.mergeBrazilContacts), importContacts: bit(s.importContacts), importMessages: bit(s.importMessages),
      daysLimitImportMessages: s.daysLimitImportMessages, organization: s.organization, logo: s.logo, ignoreJids: toJson(s.ignoreJids), autoCreate: bit(s.autoCreate), inboxId, updatedAt: now,
    };
    const insert = cw(this.db.kysely).insertInto('chatwootConfigs').values({ ...values, id: rowId(), instanceId, webhookToken: this.box.seal(webhookToken), createdAt: now });
    await (this.db.provider === 'mysql'
      ? insert.onDuplicateKeyUpdate(Object.fromEntries(UPDATED.map((c) => [c, sql`values(${sql.ref(c)})`])))
      : insert.onConflict((oc) => oc.column('instanceId').doUpdateSet((eb) => Object.fromEntries(UPDATED.map((c) => [c, eb.ref(`excluded.${c}`)]))))
    ).execute();
    return (await this.find(instanceId))!;
  }

  async setInbox(instanceId: string, inboxId: string): Promise<void> {
    await cw(this.db.kysely).updateTable('chatwootConfigs').set({ inboxId, updatedAt: nowIso() }).where('instanceId', '=', instanceId).execute();
  }

  async find(instanceId: string): Promise<ChatwootConfig | undefined> {
    const row = await cw(this.db.kysely).selectFrom('chatwootConfigs').selectAll().where('instanceId', '=', instanceId).executeTakeFirst();
    return row && this.toDomain(row);
  }

  /** The configurations of the instances this process serves (DATABASE_CONNECTION_CLIENT_NAME), loaded at start-up. */
  async findForClient(clientName: string): Promise<ChatwootConfig[]> {
    const rows = await this.db.kysely
      .selectFrom('instances')
      .select('id')
      .where('clientName', '=', clientName)
      .execute();
    if (!rows.length) return [];
    const configs = await cw(this.db.kysely).selectFrom('chatwootConfigs').selectAll().where('instanceId', 'in', rows.map((r) => r.id)).execute();
    return configs.map((r) => this.toDomain(r));
  }

  private toDomain(r: ChatwootConfigTable): ChatwootConfig {
    return {
      id: r.id, instanceId: r.instanceId, enabled: flag(r.enabled), accountId: r.accountId, token: r.token ? this.box.open(r.token) : '', url: r.url, nameInbox: r.nameInbox ?? '',
      signMsg: flag(r.signMsg), signDelimiter: r.signDelimiter, number: r.number ?? '', reopenConversation: flag(r.reopenConversation), conversationPending: flag(r.conversationPending),
      mergeBrazilContacts: flag(r.mergeBrazilContacts), importContacts: flag(r.importContacts), importMessages: flag(r.importMessages), daysLimitImportMessages: Number(r.daysLimitImportMessages),
      organization: r.organization ?? '', logo: r.logo ?? '', ignoreJids: fromJson<string[]>(r.ignoreJids, []), autoCreate: flag(r.autoCreate), inboxId: r.inboxId,
      webhookToken: this.box.open(r.webhookToken), createdAt: r.createdAt, updatedAt: r.updatedAt,
    };
  }
}
