import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { instanceRow, messageRow } from '../helpers/rows.js';
import { availableProviders, createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { openDatabase, type Db, type Provider } from '../../src/storage/db.js';
import { migrateToLatest } from '../../src/storage/migrate.js';
import { Repositories } from '../../src/storage/repositories.js';

const { run, skipped } = await availableProviders();

describe.each(run)('chat state and labels storage on %s', (provider) => suite(provider));
for (const provider of skipped) describe.skip(`chat state and labels storage on ${provider} (database not reachable)`, () => suite(provider));

function suite(provider: Provider): void {
  let tdb: TestDatabase;
  let db: Db;
  let repos: Repositories;
  let seq = 0;
  const jid = (n: number) => `55119800000${n}@s.whatsapp.net`;

  async function instance(): Promise<string> {
    const row = instanceRow(++seq, 'chat');
    await repos.instances.insert(row);
    return row.id;
  }

  beforeAll(async () => {
    tdb = await createTestDatabase(provider);
    db = await openDatabase(provider, tdb.uri);
    repos = new Repositories(db, 'chat-storage-test-key');
    await migrateToLatest(db);
  });
  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });

  it('a flag on a chat that does not exist yet creates it; setting it again only changes the flag', async () => {
    const id = await instance();
    expect(await repos.chatState.set(id, jid(1), 'archived', true, 1700000000)).toEqual({ created: true });
    expect(await repos.chatState.set(id, jid(1), 'archived', false, 1700000001)).toEqual({ created: false });
    expect(await repos.chatState.set(id, jid(1), 'markedUnread', true, 1700000002)).toEqual({ created: false });
    const chat = await repos.chatState.find(id, jid(1));
    expect(chat).toMatchObject({ remoteJid: jid(1), archived: false, markedUnread: true, unreadMessages: 0, instanceId: id, name: null });
    const [view] = await repos.chats.find({ instanceId: id });
    expect(view).toMatchObject({ remoteJid: jid(1), archived: false, markedUnread: true });
    expect(await repos.chatState.find(id, jid(2))).toBeNull();
  });

  it('reading a chat clears its unread mark even with no unread messages', async () => {
    const id = await instance();
    await repos.chatState.set(id, jid(3), 'markedUnread', true, 1700000000);
    expect(await repos.chats.markRead(id, jid(3))).toBe(true);
    expect((await repos.chatState.find(id, jid(3)))?.markedUnread).toBe(false);
    expect(await repos.chats.markRead(id, jid(3))).toBe(false);
  });

  it('labels upsert by (instance, label id), keep unicode names, and deleting one takes its associations', async () => {
    const a = await instance();
    const b = await instance();
    await repos.labels.upsert(a, [{ labelId: '1', name: 'New customer', color: 0, predefinedId: '1' }, { labelId: '7', name: 'VIP ⭐', color: 5, predefinedId: null }]);
    await repos.labels.upsert(b, [{ labelId: '1', name: 'Other instance', color: 9, predefinedId: '1' }]);
    await repos.labels.upsert(a, [{ labelId: '7', name: 'VIP ⭐⭐', color: 6, predefinedId: null }]);
    expect(await repos.labels.list(a)).toEqual([{ labelId: '1', name: 'New customer', color: 0, predefinedId: '1' }, { labelId: '7', name: 'VIP ⭐⭐', color: 6, predefinedId: null }]);
    expect(await repos.labels.list(b)).toEqual([{ labelId: '1', name: 'Other instance', color: 9, predefinedId: '1' }]);

    await repos.labels.associate(a, jid(4), '7');
    await repos.labels.associate(a, jid(4), '7');
    await repos.labels.associate(a, jid(4), '1');
    await repos.labels.associate(a, jid(5), '1');
    expect(await repos.labels.ofChats(a, [jid(4), jid(5), jid(6)])).toEqual(new Map([[jid(4), ['1', '7']], [jid(5), ['1']]]));
    await repos.labels.dissociate(a, jid(5), '1');
    await repos.labels.remove(a, ['7']);
    expect(await repos.labels.list(a)).toEqual([{ labelId: '1', name: 'New customer', color: 0, predefinedId: '1' }]);
    expect(await repos.labels.ofChats(a, [jid(4), jid(5)])).toEqual(new Map([[jid(4), ['1']]]));
  });

  it('status history rows read back with upstream field names, filtered and paged', async () => {
    const id = await instance();
    expect(await repos.messageUpdates.find({ instanceId: id })).toEqual([]);
    const m1 = messageRow(id, { keyId: 'K1', remoteJid: jid(8), fromMe: true }, { remoteJid: jid(8), keyId: () => 'K1' });
    const m2 = messageRow(id, { keyId: 'K2', remoteJid: jid(9), fromMe: true }, { remoteJid: jid(9), keyId: () => 'K2' });
    await repos.messages.insert([m1, m2]);
    await repos.messages.recordStatus({ messageId: m1.id, instanceId: id, key: m1.key, status: 'SERVER_ACK' });
    await new Promise((r) => setTimeout(r, 5));
    await repos.messages.recordStatus({ messageId: m1.id, instanceId: id, key: m1.key, status: 'READ' });
    await repos.messages.recordStatus({ messageId: m2.id, instanceId: id, key: m2.key, status: 'DELIVERY_ACK' });
    const all = await repos.messageUpdates.find({ instanceId: id });
    expect(all.map((r) => [r.keyId, r.status])).toEqual([['K1', 'SERVER_ACK'], ['K1', 'READ'], ['K2', 'DELIVERY_ACK']]);
    expect(Object.keys(all[0]!).sort()).toEqual(['fromMe', 'id', 'instanceId', 'keyId', 'messageId', 'participant', 'pollUpdates', 'remoteJid', 'status']);
    expect(all[0]).toMatchObject({ remoteJid: jid(8), fromMe: true, participant: null, pollUpdates: null, messageId: m1.id, instanceId: id });
    expect((await repos.messageUpdates.find({ instanceId: id, remoteJid: jid(9) })).map((r) => r.keyId)).toEqual(['K2']);
    expect((await repos.messageUpdates.find({ instanceId: id, keyId: 'K1', take: 1, skip: 1 })).map((r) => r.status)).toEqual(['READ']);
  });

  it('deleting an instance removes its labels and associations (cascade)', async () => {
    const id = await instance();
    await repos.labels.upsert(id, [{ labelId: '3', name: 'x', color: 1, predefinedId: null }]);
    await repos.labels.associate(id, jid(7), '3');
    await db.kysely.deleteFrom('instances').where('id', '=', id).execute();
    expect(await repos.labels.list(id)).toEqual([]);
    expect(await repos.labels.ofChats(id, [jid(7)])).toEqual(new Map());
  });
}
