import type { Db } from './db.js';
import type { MediaTable } from './schema.js';
import type { Executor } from './instanceRepository.js';
import { nowIso } from '../domain/ids.js';
import { randomInt } from 'node:crypto';

/** A Media row as upstream returns it from /s3/getMedia (storageKey is ours: where the bytes are in the store). */
export interface MediaRow {
  id: string;
  fileName: string;
  type: string;
  mimetype: string;
  size: number;
  storageKey: string;
  messageId: string;
  instanceId: string;
  createdAt: string;
}

export type NewMedia = Omit<MediaRow, 'id' | 'createdAt'>;

let last = 0;
/**
 * Media ids are digit strings (as /s3/getMediaUrl expects): the time in µs, a random start within the millisecond, and
 * increasing within this process, so newer rows sort after older ones.
 */
function mediaId(): string {
  last = Math.max(Date.now() * 1000 + randomInt(0, 500), last + 1);
  return String(last);
}

/** Media rows: one per (instance, message); a second insert for the same message keeps the first. */
export class MediaRepository {
  constructor(private readonly db: Db) {}

  async insert(m: NewMedia, tx: Executor = this.db.kysely): Promise<MediaRow> {
    const row: MediaTable = { ...m, id: mediaId(), createdAt: nowIso() };
    const q = tx.insertInto('media').values(row);
    await (this.db.provider === 'mysql' ? q.ignore() : q.onConflict((oc) => oc.columns(['instanceId', 'messageId']).doNothing())).execute();
    return (await this.findByMessage(m.instanceId, m.messageId, tx)) ?? toDomain(row);
  }

  async findByMessage(instanceId: string, messageId: string, tx: Executor = this.db.kysely): Promise<MediaRow | undefined> {
    const row = await tx.selectFrom('media').selectAll().where('instanceId', '=', instanceId).where('messageId', '=', messageId).executeTakeFirst();
    return row && toDomain(row);
  }

  async findById(instanceId: string, id: string): Promise<MediaRow | undefined> {
    const row = await this.db.kysely.selectFrom('media').selectAll().where('instanceId', '=', instanceId).where('id', '=', id).executeTakeFirst();
    return row && toDomain(row);
  }

  /** An instance's media, newest first, filtered as /s3/getMedia does (by id, type, message id). */
  async find(instanceId: string, where: { id?: string; type?: string; messageId?: string }, limit = 100): Promise<MediaRow[]> {
    let q = this.db.kysely.selectFrom('media').selectAll().where('instanceId', '=', instanceId);
    if (where.id) q = q.where('id', '=', where.id);
    if (where.type) q = q.where('type', '=', where.type);
    if (where.messageId) q = q.where('messageId', '=', where.messageId);
    const rows = await q.orderBy('createdAt', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return rows.map(toDomain);
  }
}

function toDomain(r: MediaTable): MediaRow {
  return { id: r.id, fileName: r.fileName, type: r.type, mimetype: r.mimetype, size: Number(r.size), storageKey: r.storageKey, messageId: r.messageId, instanceId: r.instanceId, createdAt: r.createdAt };
}
