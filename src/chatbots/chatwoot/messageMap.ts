import { sql } from 'kysely';
import type { Db } from '../../storage/db.js';
import { nowIso, rowId } from '../../domain/ids.js';
import { cw, type ChatwootMessageTable } from './tables.js';

/** The `part` of a link whose message came from WhatsApp (the gateway posted it to Chatwoot). */
export const FROM_WHATSAPP = -1;

export type MessageLink = Pick<ChatwootMessageTable, 'waKeyId' | 'remoteJid' | 'chatwootMessageId' | 'part' | 'conversationId'>;

/**
 * Which WhatsApp message is which Chatwoot message. Both directions are unique in the database, so a link is claimed
 * by inserting it: a second claim of the same WhatsApp id or of the same Chatwoot message part inserts nothing.
 */
export class MessageMap {
  constructor(private readonly db: Db) {}

  /** Inserts the link unless either side is already linked; true when this call inserted it. */
  async claim(instanceId: string, link: MessageLink): Promise<boolean> {
    const id = rowId();
    const insert = cw(this.db.kysely).insertInto('chatwootMessages').values({ id, instanceId, ...link, createdAt: nowIso() });
    if (this.db.provider !== 'mysql') return Number((await insert.onConflict((oc) => oc.doNothing()).executeTakeFirst()).numInsertedOrUpdatedRows ?? 0n) > 0;
    // MySQL counts a row found by ON DUPLICATE KEY as affected: whether ours went in is whether its fresh id is there.
    await insert.onDuplicateKeyUpdate({ id: sql`id` }).execute();
    return !!(await cw(this.db.kysely).selectFrom('chatwootMessages').select('id').where('id', '=', id).executeTakeFirst());
  }

  /** Gives a claim back (the WhatsApp send it was made for did not go out). */
  async release(instanceId: string, waKeyId: string): Promise<void> {
    await cw(this.db.kysely).deleteFrom('chatwootMessages').where('instanceId', '=', instanceId).where('waKeyId', '=', waKeyId).execute();
  }

  async byWhatsApp(instanceId: string, waKeyId: string): Promise<MessageLink | undefined> {
    return cw(this.db.kysely).selectFrom('chatwootMessages').select(['waKeyId', 'remoteJid', 'chatwootMessageId', 'part', 'conversationId']).where('instanceId', '=', instanceId).where('waKeyId', '=', waKeyId).executeTakeFirst();
  }

  async byChatwoot(instanceId: string, chatwootMessageId: string): Promise<MessageLink[]> {
    return cw(this.db.kysely).selectFrom('chatwootMessages').select(['waKeyId', 'remoteJid', 'chatwootMessageId', 'part', 'conversationId']).where('instanceId', '=', instanceId).where('chatwootMessageId', '=', chatwootMessageId).orderBy('part').execute();
  }
}
