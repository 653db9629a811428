import type { Db } from './db.js';
import { nowIso } from '../domain/ids.js';

export interface InboxRow {
  seq: number;
  payload: string;
  attempts: number;
}

/** Webhook payloads accepted from a platform and not yet processed (table channelInbox), oldest first. */
export class InboxRepository {
  constructor(private readonly db: Db) {}

  /** Keeps one payload; resolves once it is committed. */
  async add(channel: string, payload: string): Promise<void> {
    await this.db.kysely.insertInto('channelInbox').values({ channel, payload, lastError: null, receivedAt: nowIso() }).execute();
  }

  /** Up to `limit` payloads after `afterSeq` that have not failed `maxAttempts` times. */
  async pending(channel: string, afterSeq: number, limit: number, maxAttempts: number): Promise<InboxRow[]> {
    const rows = await this.db.kysely
      .selectFrom('channelInbox')
      .select(['seq', 'payload', 'attempts'])
      .where('channel', '=', channel)
      .where('seq', '>', afterSeq)
      .where('attempts', '<', maxAttempts)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ seq: Number(r.seq), payload: r.payload, attempts: Number(r.attempts) }));
  }

  async remove(seqs: number[]): Promise<void> {
    if (seqs.length) await this.db.kysely.deleteFrom('channelInbox').where('seq', 'in', seqs).execute();
  }

  /** A processing attempt failed: counted, with its reason, so an operator can see what is stuck. */
  async failed(seq: number, error: string): Promise<void> {
    await this.db.kysely
      .updateTable('channelInbox')
      .set((eb) => ({ attempts: eb('attempts', '+', 1), lastError: error.slice(0, 1000) }))
      .where('seq', '=', seq)
      .execute();
  }

  async count(channel: string): Promise<number> {
    const row = await this.db.kysely.selectFrom('channelInbox').select((eb) => eb.fn.countAll<number>().as('n')).where('channel', '=', channel).executeTakeFirst();
    return Number(row?.n ?? 0);
  }
}
