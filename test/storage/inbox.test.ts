import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { availableProviders, createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { openDatabase, type Db, type Provider } from '../../src/storage/db.js';
import { migrateToLatest } from '../../src/storage/migrate.js';
import { InboxRepository } from '../../src/storage/inboxRepository.js';
import { DurableInbox } from '../../src/channels/inbound/durableInbox.js';
import { HoldBack } from '../../src/channels/events.js';
import { waitFor } from '../helpers/server.js';

const { run } = await availableProviders();

describe.each(run as Provider[])('channel inbox on %s', (provider) => {
  let t: TestDatabase;
  let db: Db;
  let repo: InboxRepository;
  beforeAll(async () => {
    t = await createTestDatabase(provider);
    db = await openDatabase(provider, t.uri);
    await migrateToLatest(db);
    repo = new InboxRepository(db);
  });
  afterAll(async () => {
    await db?.close();
    await t?.drop();
  });

  it('keeps payloads in order per channel, counts failures and removes what was processed', async () => {
    await repo.add('meta', '{"n":1}');
    await repo.add('meta', '{"n":2}');
    await repo.add('other', '{"n":3}');
    const rows = await repo.pending('meta', 0, 10, 5);
    expect(rows.map((r) => r.payload)).toEqual(['{"n":1}', '{"n":2}']);
    await repo.failed(rows[0]!.seq, 'boom');
    expect((await repo.pending('meta', 0, 10, 1)).map((r) => r.payload)).toEqual(['{"n":2}']);
    await repo.remove(rows.map((r) => r.seq));
    expect(await repo.count('meta')).toBe(0);
    expect(await repo.count('other')).toBe(1);
  });

  it('DurableInbox: a payload leaves only once handled; hold-backs and failures are tried again in order', async () => {
    const handled: string[] = [];
    let holdBacks = 1;
    let failures = 1;
    const inbox = new DurableInbox('test', repo, async (payload) => {
      if (payload === '"b"' && holdBacks-- > 0) throw new HoldBack(10);
      if (payload === '"c"' && failures-- > 0) throw new Error('transient');
      handled.push(payload);
    }, pino({ level: 'silent' }));
    for (const p of ['"a"', '"b"', '"c"']) await inbox.accept(p);
    await waitFor(async () => (await repo.count('test')) === 0, 5000, 'the inbox drained');
    expect([...handled].sort()).toEqual(['"a"', '"b"', '"c"']);
    await inbox.close();
  });
});
