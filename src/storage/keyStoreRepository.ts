import { sql } from 'kysely';
import type { Db } from './db.js';
import type { Executor } from './instanceRepository.js';
import type { SecretBox } from '../security/secrets.js';
import { nowIso } from '../domain/ids.js';
import { deserialize, serialize } from './serialize.js';

/** One keyed entry to write; a null (or undefined) value deletes it. */
export interface KeyChange {
  type: string;
  id: string;
  value: unknown | null;
}

/** Ids per IN list and rows per multi-row insert. */
const CHUNK = 500;
/** Sealed bytes per multi-row insert, well under MySQL's default max_allowed_packet (16 MB on MariaDB, 64 MB on MySQL 8). */
const MAX_INSERT_BYTES = 4 * 1024 * 1024;

/** A channel's keyed auth entries (instanceId, type, id) -> value, sealed at rest, read and written in batches. */
export class ChannelKeyRepository {
  constructor(private readonly db: Db, private readonly box: SecretBox) {}

  /** The stored values of these ids; missing ids are absent from the result. */
  async get(instanceId: string, type: string, ids: string[], tx: Executor = this.db.kysely): Promise<Record<string, unknown>> {
    const found: Array<[string, unknown]> = [];
    for (const part of batches([...new Set(ids)], CHUNK)) {
      const rows = await tx.selectFrom('channelKeys').select(['keyId', 'value']).where('instanceId', '=', instanceId).where('type', '=', type).where('keyId', 'in', part).execute();
      for (const row of rows) found.push([row.keyId, deserialize(this.box.open(row.value))]);
    }
    return Object.fromEntries(found);
  }

  /** Applies the changes (the last one for the same type and id wins), in tx or else in one transaction of its own. */
  async write(instanceId: string, changes: KeyChange[], tx?: Executor): Promise<void> {
    const latest = new Map<string, KeyChange>();
    for (const change of changes) latest.set(`${change.type}\u0000${change.id}`, change);
    const updatedAt = nowIso();
    const upserts: Array<{ instanceId: string; type: string; keyId: string; value: string; updatedAt: string }> = [];
    const deletes = new Map<string, string[]>();
    for (const { type, id, value } of latest.values()) {
      if (value === null || value === undefined) {
        const ids = deletes.get(type) ?? [];
        deletes.set(type, ids);
        ids.push(id);
      } else upserts.push({ instanceId, type, keyId: id, value: this.box.seal(serialize(value)), updatedAt });
    }
    if (upserts.length === 0 && deletes.size === 0) return;
    // The same row order in every transaction, so two concurrent writers lock rows in the same order and cannot deadlock.
    upserts.sort((a, b) => (a.type === b.type ? compare(a.keyId, b.keyId) : compare(a.type, b.type)));

    const apply = async (ex: Executor) => {
      for (const rows of batches(upserts, CHUNK, (r) => r.value.length, MAX_INSERT_BYTES)) {
        const insert = ex.insertInto('channelKeys').values(rows);
        await (this.db.provider === 'mysql'
          ? insert.onDuplicateKeyUpdate({ value: sql`values(${sql.ref('value')})`, updatedAt: sql`values(${sql.ref('updatedAt')})` })
          : insert.onConflict((oc) => oc.columns(['instanceId', 'type', 'keyId']).doUpdateSet((eb) => ({ value: eb.ref('excluded.value'), updatedAt: eb.ref('excluded.updatedAt') })))
        ).execute();
      }
      for (const [type, ids] of deletes) {
        for (const part of batches(ids.sort(compare), CHUNK)) {
          await ex.deleteFrom('channelKeys').where('instanceId', '=', instanceId).where('type', '=', type).where('keyId', 'in', part).execute();
        }
      }
    };
    await (tx ? apply(tx) : this.db.kysely.transaction().execute(apply));
  }

  async clear(instanceId: string, tx: Executor = this.db.kysely): Promise<void> {
    await tx.deleteFrom('channelKeys').where('instanceId', '=', instanceId).execute();
  }

  /** Runs fn in one database transaction (to write keys together with other channel state). */
  transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T> {
    return this.db.kysely.transaction().execute(fn);
  }
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Consecutive slices of at most maxCount items and (when weighed) at most maxWeight, never empty. */
function* batches<T>(items: T[], maxCount: number, weight: (item: T) => number = () => 0, maxWeight = Infinity): Generator<T[]> {
  let batch: T[] = [];
  let total = 0;
  for (const item of items) {
    const w = weight(item);
    if (batch.length > 0 && (batch.length >= maxCount || total + w > maxWeight)) {
      yield batch;
      batch = [];
      total = 0;
    }
    batch.push(item);
    total += w;
  }
  if (batch.length > 0) yield batch;
}
