import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instanceRow, messageRow } from '../helpers/rows.js';
import { availableProviders, createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { openDatabase, type Db, type Provider } from '../../src/storage/db.js';
import { migrateToLatest } from '../../src/storage/migrate.js';
import { Repositories } from '../../src/storage/repositories.js';
import { applyPollVotes, type VoteToApply } from '../../src/domain/messagePolls.js';
import type { StoredMessage } from '../../src/domain/types.js';

const { run, skipped } = await availableProviders();

describe.each(run)('poll votes and message amendments on %s', (provider) => suite(provider));
for (const provider of skipped) describe.skip(`poll votes on ${provider} (database not reachable)`, () => suite(provider));

function suite(provider: Provider): void {
  let tdb: TestDatabase;
  let db: Db;
  let repos: Repositories;
  let instanceId: string;
  let poll: StoredMessage;
  const X = '5511000000011@s.whatsapp.net';
  const Y = '5511000000012@s.whatsapp.net';

  beforeAll(async () => {
    tdb = await createTestDatabase(provider);
    db = await openDatabase(provider, tdb.uri);
    repos = new Repositories(db, 'poll-votes-test-key');
    await migrateToLatest(db);
    const inst = instanceRow(1, 'poll');
    instanceId = inst.id;
    await repos.instances.insert(inst);
    poll = messageRow(instanceId, { keyId: '3EB0POLL000000000001', fromMe: true, messageType: 'pollCreationMessage', message: { messageContextInfo: { messageSecret: 'c2VjcmV0' }, pollCreationMessage: { name: 'Lunch? 🍕', options: [{ optionName: 'pizza 🍕' }, { optionName: 'sushi' }], selectableOptionsCount: 1 } } }, { remoteJid: X, keyId: () => 'unused' });
    await repos.messages.insert([poll]);
  });
  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });

  const apply = (votes: VoteToApply['votes']) => {
    const item: VoteToApply = { instanceId, messageId: poll.id, votes, event: {} };
    return repos.transaction((tx) => applyPollVotes(repos, [item], tx)).then(() => item.event.pollUpdates);
  };

  it('keeps one current vote per voter, aggregated in option order', async () => {
    expect(await apply([{ voter: X, options: ['sushi'] }])).toEqual([{ name: 'pizza 🍕', voters: [] }, { name: 'sushi', voters: [X] }]);
    expect(await apply([{ voter: Y, options: ['pizza 🍕'] }, { voter: X, options: ['pizza 🍕'] }])).toEqual([{ name: 'pizza 🍕', voters: [Y, X] }, { name: 'sushi', voters: [] }]);
    const stored = await repos.pollVotes.forMessages([poll.id]);
    expect(stored.get(poll.id)).toEqual([{ voter: Y, options: ['pizza 🍕'] }, { voter: X, options: ['pizza 🍕'] }]);
    expect(Number((await db.kysely.selectFrom('pollVotes').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)).toBe(2);
  });

  it('the database refuses a second row for the same voter', async () => {
    const row = { id: 'dup-1', instanceId, messageId: poll.id, voter: Y, options: '[]', votedAt: new Date().toISOString() };
    await expect(db.kysely.insertInto('pollVotes').values(row).execute()).rejects.toThrow();
  });

  it('a logical delete marks the key and the status, and keeps the row', async () => {
    await repos.amendments.markDeleted(poll.id, poll.key);
    const found = await repos.messages.findByKeyId(instanceId, poll.key.id);
    expect(found).toMatchObject({ id: poll.id, status: 'DELETED', key: { ...poll.key, deleted: true } });
  });

  it('votes go with their message', async () => {
    await db.kysely.deleteFrom('messages').where('id', '=', poll.id).execute();
    expect((await repos.pollVotes.forMessages([poll.id])).size).toBe(0);
  });
}
