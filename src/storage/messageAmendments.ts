import type { Db } from './db.js';
import type { Executor } from './instanceRepository.js';
import type { MessageKey } from '../domain/types.js';
import { toJson } from './json.js';

/** Changes to a stored message after the fact that the ingest path does not make: a revoke of its own sends. */
export class MessageAmendments {
  constructor(private readonly db: Db) {}

  /** Upstream's logical delete: the row stays, its key says `deleted: true`, its status is DELETED. */
  async markDeleted(id: string, key: MessageKey, tx: Executor = this.db.kysely): Promise<void> {
    await tx.updateTable('messages').set({ key: toJson({ ...key, deleted: true }), status: 'DELETED' }).where('id', '=', id).execute();
  }
}
