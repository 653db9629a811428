import { sql } from 'kysely';
import type { Db } from './db.js';
import type { Executor } from './instanceRepository.js';
import { nowIso, rowId } from '../domain/ids.js';

export interface LabelRow {
  labelId: string;
  name: string;
  color: number;
  predefinedId: string | null;
}

/** WhatsApp Business labels of an instance (as its phone last reported them) and which chats carry them. */
export class LabelRepository {
  constructor(private readonly db: Db) {}

  /** Inserts or renames/recolours labels; the database's unique key (instance, label id) decides which. */
  async upsert(instanceId: string, labels: LabelRow[], tx: Executor = this.db.kysely): Promise<void> {
    if (!labels.length) return;
    const now = nowIso();
    const insert = tx.insertInto('labels').values(labels.map((l) => ({ id: rowId(), instanceId, labelId: l.labelId, name: l.name, color: l.color, predefinedId: l.predefinedId, createdAt: now, updatedAt: now })));
    await (this.db.provider === 'mysql'
      ? insert.onDuplicateKeyUpdate({ name: sql`values(${sql.ref('name')})`, color: sql`values(${sql.ref('color')})`, predefinedId: sql`values(${sql.ref('predefinedId')})`, updatedAt: sql`values(${sql.ref('updatedAt')})` })
      : insert.onConflict((oc) => oc.columns(['instanceId', 'labelId']).doUpdateSet((eb) => ({ name: eb.ref('excluded.name'), color: eb.ref('excluded.color'), predefinedId: eb.ref('excluded.predefinedId'), updatedAt: eb.ref('excluded.updatedAt') })))
    ).execute();
  }

  /** Deletes labels and their chat associations. */
  async remove(instanceId: string, labelIds: string[], tx: Executor = this.db.kysely): Promise<void> {
    if (!labelIds.length) return;
    await tx.deleteFrom('chatLabels').where('instanceId', '=', instanceId).where('labelId', 'in', labelIds).execute();
    await tx.deleteFrom('labels').where('instanceId', '=', instanceId).where('labelId', 'in', labelIds).execute();
  }

  async list(instanceId: string): Promise<LabelRow[]> {
    const rows = await this.db.kysely.selectFrom('labels').select(['labelId', 'name', 'color', 'predefinedId']).where('instanceId', '=', instanceId).orderBy('labelId').execute();
    return rows.map((r) => ({ ...r, color: Number(r.color) }));
  }

  /** Puts a label on a chat; doing it twice is the same as once. */
  async associate(instanceId: string, remoteJid: string, labelId: string, tx: Executor = this.db.kysely): Promise<void> {
    const insert = tx.insertInto('chatLabels').values({ instanceId, remoteJid, labelId, createdAt: nowIso() });
    await (this.db.provider === 'mysql' ? insert.onDuplicateKeyUpdate({ labelId: sql`${sql.ref('labelId')}` }) : insert.onConflict((oc) => oc.doNothing())).execute();
  }

  async dissociate(instanceId: string, remoteJid: string, labelId: string, tx: Executor = this.db.kysely): Promise<void> {
    await tx.deleteFrom('chatLabels').where('instanceId', '=', instanceId).where('remoteJid', '=', remoteJid).where('labelId', '=', labelId).execute();
  }

  /** The label ids of each of these chats (chats without labels are absent). */
  async ofChats(instanceId: string, remoteJids: string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (!remoteJids.length) return out;
    const rows = await this.db.kysely.selectFrom('chatLabels').select(['remoteJid', 'labelId']).where('instanceId', '=', instanceId).where('remoteJid', 'in', remoteJids).orderBy('labelId').execute();
    for (const r of rows) out.set(r.remoteJid, [...(out.get(r.remoteJid) ?? []), r.labelId]);
    return out;
  }
}
