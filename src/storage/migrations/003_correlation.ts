import type { Kysely } from 'kysely';
import type { Provider } from '../db.js';

/** The request (or other cause) an outbox row came from, sent as x-correlation-id. */
export async function up(db: Kysely<any>, _provider: Provider): Promise<void> {
  await db.schema.alterTable('eventOutbox').addColumn('correlationId', 'varchar(128)').execute();
}
