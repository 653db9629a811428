import type { Kysely } from 'kysely';
import type { Provider } from '../db.js';
import { dialectHelpers } from './dialect.js';

/** Each voter's current choice on a poll message: a new vote replaces the voter's previous one (WhatsApp's rule). */
export async function up(db: Kysely<any>, provider: Provider): Promise<void> {
  const { json, stamp, table } = dialectHelpers(db, provider);
  // (64 + 128) x 4 bytes in utf8mb4 keeps the unique key within InnoDB's 3,072-byte limit; it also serves lookups by messageId.
  await table('pollVotes')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('instanceId', 'varchar(64)', (c) => c.notNull())
    .addColumn('messageId', 'varchar(64)', (c) => c.notNull())
    .addColumn('voter', 'varchar(128)', (c) => c.notNull())
    .addColumn('options', json, (c) => c.notNull())
    .addColumn('votedAt', stamp, (c) => c.notNull())
    .addUniqueConstraint('pollVotes_message_voter', ['messageId', 'voter'])
    .addForeignKeyConstraint('pollVotes_message_fk', ['messageId'], 'messages', ['id'], (c) => c.onDelete('cascade'))
    .addForeignKeyConstraint('pollVotes_instance_fk', ['instanceId'], 'instances', ['id'], (c) => c.onDelete('cascade'))
    .execute();
}
