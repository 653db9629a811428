import type { Db } from './db.js';
import type { ContactTable } from './schema.js';
import { nowIso, rowId } from '../domain/ids.js';
import type { Executor } from './instanceRepository.js';

export type ContactRow = ContactTable;

export class ContactRepository {
  constructor(private readonly db: Db) {}

  /** Creates or refreshes a contact; tells whether it was new or its name changed. */
  async upsert(instanceId: string, remoteJid: string, pushName: string | null, tx: Executor = this.db.kysely): Promise<{ created: boolean; changed: boolean; contact: ContactRow }> {
    const existing = await tx.selectFrom('contacts').selectAll().where('instanceId', '=', instanceId).where('remoteJid', '=', remoteJid).executeTakeFirst();
    const now = nowIso();
    if (!existing) {
      const contact: ContactRow = { id: rowId(), instanceId, remoteJid, pushName, profilePicUrl: null, createdAt: now, updatedAt: now };
      await tx.insertInto('contacts').values(contact).execute();
      return { created: true, changed: true, contact };
    }
    if (!pushName || existing.pushName === pushName) return { created: false, changed: false, contact: existing };
    await tx.updateTable('contacts').set({ pushName, updatedAt: now }).where('id', '=', existing.id).execute();
    return { created: false, changed: true, contact: { ...existing, pushName, updatedAt: now } };
  }

  async find(instanceId: string, remoteJid?: string, page?: { skip: number; take: number }): Promise<ContactRow[]> {
    let q = this.db.kysely.selectFrom('contacts').selectAll().where('instanceId', '=', instanceId);
    if (remoteJid !== undefined) q = q.where('remoteJid', '=', remoteJid);
    q = q.orderBy('updatedAt', 'desc').orderBy('id');
    if (page) q = q.limit(page.take).offset(page.skip);
    return q.execute();
  }
}
