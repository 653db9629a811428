import { randomUUID } from 'node:crypto';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import { instanceRow, messageRow, type MessageOverrides } from '../helpers/rows.js';
import { availableProviders, createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { openDatabase, type Db, type Provider } from '../../src/storage/db.js';
import { migrateToLatest, MIGRATION_NAMES } from '../../src/storage/migrate.js';
import { Repositories } from '../../src/storage/repositories.js';
import type { Executor } from '../../src/storage/instanceRepository.js';
import type { ChatDelta, ContactDelta } from '../../src/storage/chatWrites.js';
import type { StatusRow } from '../../src/storage/messageWrites.js';
import { toRow } from '../../src/storage/messageRows.js';
import { chunks } from '../../src/storage/sql/bulk.js';
import { rowId } from '../../src/domain/ids.js';
import type { Instance, StoredMessage } from '../../src/domain/types.js';
import * as m001 from '../../src/storage/migrations/001_initial.js';
import * as m002 from '../../src/storage/migrations/002_outbox.js';
import * as m003 from '../../src/storage/migrations/003_correlation.js';
import * as m004 from '../../src/storage/migrations/004_ingest.js';
import * as m005 from '../../src/storage/migrations/005_channel_keys.js';

/**
 * The batched writes of the ingest path (MessageWrites, ChatWrites, CounterRepository) and the 004 migration, on every
 * database: unique-key dedupe, single-statement upserts and their merge rules, parameter limits, Unicode.
 */

const ENCRYPTION_KEY = 'ingest-writes-test-encryption-key';

/** The same migration modules, under the same names and migration tables, as src/storage/migrate.ts (whose list is not exported). */
const MODULES = { '001_initial': m001, '002_outbox': m002, '003_correlation': m003, '004_ingest': m004, '005_channel_keys': m005 } as const;
class ModulesProvider implements MigrationProvider {
  constructor(private readonly provider: Provider) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    const out: Record<string, Migration> = {};
    for (const [name, mod] of Object.entries(MODULES)) out[name] = { up: (k) => mod.up(k, this.provider) };
    return out;
  }
}
const migratorOf = (db: Db) =>
  new Migrator({ db: db.kysely, provider: new ModulesProvider(db.provider), migrationTableName: 'gateway_migrations', migrationLockTableName: 'gateway_migrations_lock' });

const { run, skipped } = await availableProviders();

describe.each(run)('ingest writes on %s', (provider) => suite(provider));
for (const provider of skipped) describe.skip(`ingest writes on ${provider} (database not reachable)`, () => suite(provider));

const keyId = () => `3EB0${randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase()}`;
const jid = (n: number) => `55119${String(n).padStart(8, '0')}@s.whatsapp.net`;

function msg(instanceId: string, over: MessageOverrides = {}): StoredMessage {
  return messageRow(instanceId, over, { remoteJid: jid(1), keyId });
}

/** The same message (key, content) under a fresh row id, as a redelivery builds it. */
const again = (m: StoredMessage): StoredMessage => ({ ...m, id: rowId() });

function chatDelta(instanceId: string, remoteJid: string, over: Partial<ChatDelta> = {}): ChatDelta {
  return { instanceId, remoteJid, name: null, unreadIncrement: 0, lastMessage: null, lastMessageTimestamp: 1_700_000_000, lastInboundAt: null, ...over };
}

function suite(provider: Provider): void {
  let tdb: TestDatabase;
  let db: Db;
  let repos: Repositories;
  let seq = 0;
  /** SQL texts run while `recording` is on. */
  let recording = false;
  const statements: string[] = [];

  async function newInstance(r: Repositories = repos): Promise<Instance> {
    seq += 1;
    const inst = instanceRow(seq, 'ingest');
    await r.instances.insert(inst);
    return inst;
  }

  const tx = <T>(fn: (t: Executor) => Promise<T>) => repos.transaction(fn);
  const insertNew = (messages: StoredMessage[]) => tx((t) => repos.messages.writes.insertNew(messages, t));
  const upsertChats = (deltas: ChatDelta[]) => tx((t) => repos.chatWrites.upsertChats(deltas, t));
  const upsertContacts = (deltas: ContactDelta[]) => tx((t) => repos.chatWrites.upsertContacts(deltas, t));

  async function countMessages(instanceId: string): Promise<number> {
    const r = await db.kysely.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).where('instanceId', '=', instanceId).executeTakeFirstOrThrow();
    return Number(r.n);
  }
  const chatRow = (instanceId: string, remoteJid: string) => db.kysely.selectFrom('chats').selectAll().where('instanceId', '=', instanceId).where('remoteJid', '=', remoteJid).executeTakeFirstOrThrow();
  const contactRow = (instanceId: string, remoteJid: string) => db.kysely.selectFrom('contacts').selectAll().where('instanceId', '=', instanceId).where('remoteJid', '=', remoteJid).executeTakeFirstOrThrow();
  const k = (instanceId: string, x: string) => `${instanceId}|${x}`;

  beforeAll(async () => {
    tdb = await createTestDatabase(provider);
    db = await openDatabase(provider, tdb.uri, { onQuery: (s) => void (recording && statements.push(s)) });
    repos = new Repositories(db, ENCRYPTION_KEY);
    await migrateToLatest(db);
  });

  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });

  describe('MessageWrites.insertNew', () => {
    it('inserts a batch of 1,200 messages of two instances (several chunks); the same keys again insert nothing; a mixed batch returns only the new ids', async () => {
      const [a, b] = [await newInstance(), await newInstance()];
      // more rows than one statement takes: the batch really is split
      expect(chunks(new Array(1200).fill(0), 14).length).toBeGreaterThan(1);
      const batch = Array.from({ length: 1200 }, (_, i) => msg(i % 2 ? b.id : a.id, { remoteJid: jid(i % 7), fromMe: i % 3 === 0, messageTimestamp: 1_700_000_000 + i }));
      const inserted = await insertNew(batch);
      expect(inserted.size).toBe(1200);
      expect(inserted).toEqual(new Set(batch.map((m) => m.id)));
      expect(await countMessages(a.id)).toBe(600);
      expect(await countMessages(b.id)).toBe(600);

      // a redelivery: same keys, fresh row ids
      const redelivered = batch.map(again);
      expect(await insertNew(redelivered)).toEqual(new Set());
      expect(await countMessages(a.id) + (await countMessages(b.id))).toBe(1200);
      // the stored row keeps its first id
      const one = await repos.messages.findByKeyId(batch[5]!.instanceId, batch[5]!.key.id);
      expect(one?.id).toBe(batch[5]!.id);
      const none = await db.kysely.selectFrom('messages').select('id').where('id', 'in', redelivered.slice(0, 300).map((m) => m.id)).execute();
      expect(none).toEqual([]);

      // 10 new and 10 duplicates, interleaved
      const fresh = Array.from({ length: 10 }, (_, i) => msg(i % 2 ? a.id : b.id, { remoteJid: jid(100 + i) }));
      const mixed = fresh.flatMap((m, i) => [m, again(batch[i * 97]!)]);
      const got = await insertNew(mixed);
      expect(got).toEqual(new Set(fresh.map((m) => m.id)));
      expect(await countMessages(a.id) + (await countMessages(b.id))).toBe(1210);
    });

    it('the same key id in two chats, with fromMe true and false, and in another instance, are distinct messages', async () => {
      const [a, b] = [await newInstance(), await newInstance()];
      const id = keyId();
      const variants = [
        msg(a.id, { keyId: id, remoteJid: jid(1), fromMe: false }),
        msg(a.id, { keyId: id, remoteJid: jid(2), fromMe: false }),
        msg(a.id, { keyId: id, remoteJid: jid(1), fromMe: true }),
        msg(a.id, { keyId: id, remoteJid: jid(2), fromMe: true }),
        msg(b.id, { keyId: id, remoteJid: jid(1), fromMe: false }),
      ];
      expect(await insertNew(variants)).toEqual(new Set(variants.map((m) => m.id)));
      expect(await countMessages(a.id)).toBe(4);
      expect(await countMessages(b.id)).toBe(1);
      // each of them is now a duplicate, one by one and all together
      expect(await insertNew([again(variants[2]!)])).toEqual(new Set());
      expect(await insertNew(variants.map(again))).toEqual(new Set());
      // a later message of the other instance with the same (chat, key, direction) is still new there
      const other = msg(b.id, { keyId: id, remoteJid: jid(1), fromMe: true });
      expect(await insertNew([other])).toEqual(new Set([other.id]));
    });

    it('the same key twice in one batch is stored once', async () => {
      const a = await newInstance();
      const m = msg(a.id);
      const dup = again(m);
      const got = await insertNew([m, dup]);
      expect(got.size).toBe(1);
      expect(await countMessages(a.id)).toBe(1);
      const stored = await repos.messages.findByKeyId(a.id, m.key.id);
      expect(got.has(stored!.id)).toBe(true);
    });

    it('an empty batch runs nothing', async () => {
      statements.length = 0;
      recording = true;
      try {
        expect(await repos.messages.writes.insertNew([], db.kysely)).toEqual(new Set());
        expect(await repos.chatWrites.upsertChats([], db.kysely)).toEqual(new Set());
        expect(await repos.chatWrites.upsertContacts([], db.kysely)).toEqual(new Map());
        await repos.counters.increment([]);
      } finally {
        recording = false;
      }
      expect(statements).toEqual([]);
    });
  });

  describe('ChatWrites.upsertChats', () => {
    it('creates chats of two instances in one call, then merges: unread adds up, last message only forward, inbound time and name kept', async () => {
      const [a, b] = [await newInstance(), await newInstance()];
      const [c1, c2] = [jid(11), jid(12)];
      const created = await upsertChats([
        chatDelta(a.id, c1, { name: 'Alice', unreadIncrement: 2, lastMessage: { text: 'a1' }, lastMessageTimestamp: 1000, lastInboundAt: 1000 }),
        chatDelta(a.id, c2, { name: null, unreadIncrement: 0, lastMessage: { text: 'a2' }, lastMessageTimestamp: 900, lastInboundAt: null }),
        chatDelta(b.id, c1, { name: 'Bob', unreadIncrement: 1, lastMessage: { text: 'b1' }, lastMessageTimestamp: 2000, lastInboundAt: 2000 }),
      ]);
      expect(created).toEqual(new Set([k(a.id, c1), k(a.id, c2), k(b.id, c1)]));
      const first = { a1: await chatRow(a.id, c1), a2: await chatRow(a.id, c2), b1: await chatRow(b.id, c1) };
      expect(first.a1).toMatchObject({ name: 'Alice', unreadMessages: 2, lastInboundAt: 1000 });
      expect(Number(first.a1.lastMessageTimestamp)).toBe(1000);
      expect(JSON.parse(first.a1.lastMessage!)).toEqual({ text: 'a1' });
      expect(first.a2).toMatchObject({ name: null, unreadMessages: 0, lastInboundAt: null });
      expect(first.b1).toMatchObject({ name: 'Bob', unreadMessages: 1 });

      const again2 = await upsertChats([
        // live: newer message, no inbound (fromMe), another name offered
        chatDelta(a.id, c1, { name: 'Someone else', unreadIncrement: 3, lastMessage: { text: 'a1-newer' }, lastMessageTimestamp: 1100, lastInboundAt: null }),
        // same timestamp replaces (>=); a missing name is filled
        chatDelta(a.id, c2, { name: 'Carol', unreadIncrement: 1, lastMessage: { text: 'a2-same-time' }, lastMessageTimestamp: 900, lastInboundAt: 900 }),
        // history: older than what is stored, must not move it back
        chatDelta(b.id, c1, { name: null, unreadIncrement: 0, lastMessage: { text: 'b1-older' }, lastMessageTimestamp: 500, lastInboundAt: 500 }),
      ]);
      expect(again2).toEqual(new Set());
      // An older inbound time (history) does not move the last inbound time back.
      expect(await chatRow(b.id, c1)).toMatchObject({ lastInboundAt: 2000 });
      const a1 = await chatRow(a.id, c1);
      expect(a1.id).toBe(first.a1.id);
      expect(a1).toMatchObject({ name: 'Alice', unreadMessages: 5, lastInboundAt: 1000 });
      expect(Number(a1.lastMessageTimestamp)).toBe(1100);
      expect(JSON.parse(a1.lastMessage!)).toEqual({ text: 'a1-newer' });
      expect(a1.updatedAt > first.a1.updatedAt).toBe(true);
      expect(a1.createdAt).toBe(first.a1.createdAt);

      const a2 = await chatRow(a.id, c2);
      expect(a2).toMatchObject({ name: 'Carol', unreadMessages: 1, lastInboundAt: 900 });
      expect(Number(a2.lastMessageTimestamp)).toBe(900);
      expect(JSON.parse(a2.lastMessage!)).toEqual({ text: 'a2-same-time' });

      const b1 = await chatRow(b.id, c1);
      expect(b1).toMatchObject({ name: 'Bob', unreadMessages: 1, lastInboundAt: 2000 });
      expect(Number(b1.lastMessageTimestamp)).toBe(2000);
      expect(JSON.parse(b1.lastMessage!)).toEqual({ text: 'b1' });

      // a mix of new and existing chats in one call: only the new is created
      const c3 = jid(13);
      const mixed = await upsertChats([chatDelta(b.id, c1, { unreadIncrement: 1, lastMessageTimestamp: 2001, lastMessage: { text: 'b1-2' } }), chatDelta(b.id, c3, { name: 'Dan' }), chatDelta(a.id, c3)]);
      expect(mixed).toEqual(new Set([k(b.id, c3), k(a.id, c3)]));
      expect(await chatRow(b.id, c1)).toMatchObject({ unreadMessages: 2, name: 'Bob' });
      expect(JSON.parse((await chatRow(b.id, c1)).lastMessage!)).toEqual({ text: 'b1-2' });
      const chatsOf = async (id: string) => (await db.kysely.selectFrom('chats').select('remoteJid').where('instanceId', '=', id).execute()).map((r) => r.remoteJid).sort();
      expect(await chatsOf(a.id)).toEqual([c1, c2, c3]);
      expect(await chatsOf(b.id)).toEqual([c1, c3]);
    });
  });

  describe('ChatWrites.upsertContacts', () => {
    it('creates, leaves unchanged names alone, renames, and never erases a name with null; two instances in one call', async () => {
      const [a, b] = [await newInstance(), await newInstance()];
      const [p1, p2] = [jid(21), jid(22)];
      const first = await upsertContacts([
        { instanceId: a.id, remoteJid: p1, pushName: 'Alice' },
        { instanceId: a.id, remoteJid: p2, pushName: null },
        { instanceId: b.id, remoteJid: p1, pushName: 'Bob' },
      ]);
      expect([...first.keys()].sort()).toEqual([k(a.id, p1), k(a.id, p2), k(b.id, p1)].sort());
      expect(first.get(k(a.id, p1))).toMatchObject({ created: true, pushName: 'Alice', profilePicUrl: null });
      expect(first.get(k(a.id, p2))).toMatchObject({ created: true, pushName: null });
      expect(first.get(k(b.id, p1))).toMatchObject({ created: true, pushName: 'Bob' });
      const stored = { a1: await contactRow(a.id, p1), a2: await contactRow(a.id, p2), b1: await contactRow(b.id, p1) };
      expect(first.get(k(a.id, p1))!.id).toBe(stored.a1.id);
      expect(first.get(k(b.id, p1))!.id).toBe(stored.b1.id);

      // the same name, and null for a contact without one: nothing changes, nothing is returned
      const same = await upsertContacts([
        { instanceId: a.id, remoteJid: p1, pushName: 'Alice' },
        { instanceId: a.id, remoteJid: p2, pushName: null },
      ]);
      expect(same).toEqual(new Map());
      expect(await contactRow(a.id, p1)).toEqual(stored.a1);
      expect(await contactRow(a.id, p2)).toEqual(stored.a2);

      // a new name is a change (not a creation); the unchanged one in the same call stays out
      const renamed = await upsertContacts([
        { instanceId: b.id, remoteJid: p1, pushName: 'Robert' },
        { instanceId: a.id, remoteJid: p1, pushName: 'Alice' },
      ]);
      expect([...renamed.keys()]).toEqual([k(b.id, p1)]);
      expect(renamed.get(k(b.id, p1))).toEqual({ created: false, id: stored.b1.id, pushName: 'Robert', profilePicUrl: null });
      const b1 = await contactRow(b.id, p1);
      expect(b1.pushName).toBe('Robert');
      expect(b1.updatedAt > stored.b1.updatedAt).toBe(true);
      expect(b1.createdAt).toBe(stored.b1.createdAt);
      expect(await contactRow(a.id, p1)).toEqual(stored.a1);

      // null never erases a stored name
      const erased = await upsertContacts([
        { instanceId: a.id, remoteJid: p1, pushName: null },
        { instanceId: b.id, remoteJid: p1, pushName: null },
      ]);
      expect(erased).toEqual(new Map());
      expect((await contactRow(a.id, p1)).pushName).toBe('Alice');
      expect(await contactRow(b.id, p1)).toEqual(b1);

      // a name for a contact that had none; a new contact of the other instance in the same call
      const filled = await upsertContacts([
        { instanceId: a.id, remoteJid: p2, pushName: 'Carol' },
        { instanceId: b.id, remoteJid: p2, pushName: 'Carla' },
      ]);
      expect(filled.get(k(a.id, p2))).toEqual({ created: false, id: stored.a2.id, pushName: 'Carol', profilePicUrl: null });
      expect(filled.get(k(b.id, p2))).toMatchObject({ created: true, pushName: 'Carla' });
      expect(filled.size).toBe(2);
    });

    it('a rename that only changes letter case is a change (names compare exactly)', async () => {
      const a = await newInstance();
      const p = jid(31);
      await upsertContacts([{ instanceId: a.id, remoteJid: p, pushName: 'Shop' }]);
      const r = await upsertContacts([{ instanceId: a.id, remoteJid: p, pushName: 'shop' }]);
      expect(r.get(k(a.id, p))).toMatchObject({ created: false, pushName: 'shop' });
      expect((await contactRow(a.id, p)).pushName).toBe('shop');
    });
  });

  describe('MessageWrites.targets and recordStatuses', () => {
    it('finds stored messages by key id across instances, newest first, keyed "instanceId|keyId"', async () => {
      const [a, b] = [await newInstance(), await newInstance()];
      const [k1, k2, missing] = [keyId(), keyId(), keyId()];
      const older = msg(a.id, { keyId: k1, remoteJid: jid(1), fromMe: false, messageTimestamp: 100, status: 'SERVER_ACK' });
      const newer = msg(a.id, { keyId: k1, remoteJid: jid(2), fromMe: true, messageTimestamp: 200, status: null });
      const ofB = msg(b.id, { keyId: k1, remoteJid: jid(1), fromMe: true, messageTimestamp: 150, status: 'READ' });
      const second = msg(a.id, { keyId: k2, remoteJid: jid(3), messageTimestamp: 300 });
      const unrelated = msg(a.id, { messageTimestamp: 400 });
      await insertNew([older, ofB, second, newer, unrelated]);

      const found = await tx((t) => repos.messages.writes.targets([a.id, b.id], [k1, k2, k1, missing], t));
      expect([...found.keys()].sort()).toEqual([k(a.id, k1), k(b.id, k1), k(a.id, k2)].sort());
      expect(found.get(k(a.id, k1))).toEqual([
        { id: newer.id, keyId: k1, remoteJid: jid(2), fromMe: true, status: null },
        { id: older.id, keyId: k1, remoteJid: jid(1), fromMe: false, status: 'SERVER_ACK' },
      ]);
      expect(found.get(k(b.id, k1))).toEqual([{ id: ofB.id, keyId: k1, remoteJid: jid(1), fromMe: true, status: 'READ' }]);
      expect(found.get(k(a.id, k2))!.map((t) => t.id)).toEqual([second.id]);

      // only the instances asked for
      const onlyB = await repos.messages.writes.targets([b.id], [k1, k2], db.kysely);
      expect([...onlyB.keys()]).toEqual([k(b.id, k1)]);
      expect(await repos.messages.writes.targets([a.id], [], db.kysely)).toEqual(new Map());
    });

    it('appends status history rows and sets the current status of several messages with several statuses in one call', async () => {
      const [a, b] = [await newInstance(), await newInstance()];
      const ms = [msg(a.id, { status: 'PENDING' }), msg(a.id, { status: 'PENDING', fromMe: true }), msg(b.id, { status: 'PENDING' }), msg(b.id, { status: 'PENDING' })];
      await insertNew(ms);
      const row = (m: StoredMessage, status: string): StatusRow => ({ messageId: m.id, instanceId: m.instanceId, keyId: m.key.id, remoteJid: m.key.remoteJid, fromMe: m.key.fromMe, participant: null, status });
      const rows = [row(ms[0]!, 'SERVER_ACK'), row(ms[0]!, 'DELIVERY_ACK'), row(ms[0]!, 'READ'), row(ms[1]!, 'SERVER_ACK'), row(ms[1]!, 'READ'), row(ms[2]!, 'DELIVERY_ACK')];
      const current = new Map([
        [ms[0]!.id, 'READ'],
        [ms[1]!.id, 'READ'],
        [ms[2]!.id, 'DELIVERY_ACK'],
      ]);
      await tx((t) => repos.messages.writes.recordStatuses(rows, current, t));

      const history = await db.kysely.selectFrom('messageUpdates').selectAll().where('messageId', 'in', ms.map((m) => m.id)).orderBy('createdAt').execute();
      expect(history.map((h) => [h.messageId, h.status])).toEqual(rows.map((r) => [r.messageId, r.status]));
      expect(history.map((h) => h.id).every((id, i, all) => all.indexOf(id) === i)).toBe(true);
      expect(history.find((h) => h.messageId === ms[1]!.id)).toMatchObject({ instanceId: a.id, keyId: ms[1]!.key.id, remoteJid: ms[1]!.key.remoteJid, fromMe: 1, participant: null });
      expect(history.find((h) => h.messageId === ms[2]!.id)).toMatchObject({ instanceId: b.id, fromMe: 0 });
      // createdAt strictly increases: the history reads back in the order it was recorded
      const stamps = history.map((h) => h.createdAt);
      expect(new Set(stamps).size).toBe(stamps.length);

      const statusOf = async (m: StoredMessage) => (await db.kysely.selectFrom('messages').select('status').where('id', '=', m.id).executeTakeFirstOrThrow()).status;
      expect([await statusOf(ms[0]!), await statusOf(ms[1]!), await statusOf(ms[2]!), await statusOf(ms[3]!)]).toEqual(['READ', 'READ', 'DELIVERY_ACK', 'PENDING']);

      // through the repository: the page shows the history
      const page = await repos.messages.find({ instanceId: a.id, page: 1, pageSize: 10, id: ms[0]!.id });
      expect(page.records[0]!.status).toBe('READ');
    });
  });

  describe('CounterRepository', () => {
    it('adds to several instances in one statement, subtracts with negative values, and counts() reads them', async () => {
      const [a, b, c] = [await newInstance(), await newInstance(), await newInstance()];
      expect(await repos.counters.counts([])).toEqual(new Map());
      expect(await repos.counters.counts([c.id])).toEqual(new Map([[c.id, { Message: 0, Contact: 0, Chat: 0 }]]));

      statements.length = 0;
      recording = true;
      try {
        await repos.counters.increment([
          { instanceId: a.id, messages: 5, contacts: 2, chats: 1 },
          { instanceId: b.id, messages: 3, contacts: 0, chats: 0 },
          { instanceId: c.id, messages: 0, contacts: 0, chats: 0 },
        ]);
      } finally {
        recording = false;
      }
      expect(statements.filter((s) => /instanceCounters/.test(s))).toHaveLength(1);
      expect(statements).toHaveLength(1);
      expect(await repos.counters.counts([a.id, b.id, c.id])).toEqual(
        new Map([
          [a.id, { Message: 5, Contact: 2, Chat: 1 }],
          [b.id, { Message: 3, Contact: 0, Chat: 0 }],
          [c.id, { Message: 0, Contact: 0, Chat: 0 }],
        ]),
      );
      // an all-zero delta writes no row
      expect(await db.kysely.selectFrom('instanceCounters').select('instanceId').where('instanceId', '=', c.id).execute()).toEqual([]);

      await tx((t) =>
        repos.counters.increment(
          [
            { instanceId: a.id, messages: -2, contacts: -1, chats: 0 },
            { instanceId: b.id, messages: 1, contacts: 1, chats: 1 },
            { instanceId: c.id, messages: 0, contacts: 0, chats: -1 },
          ],
          t,
        ),
      );
      const counts = await repos.counters.counts([a.id, b.id, c.id]);
      expect(counts.get(a.id)).toEqual({ Message: 3, Contact: 1, Chat: 1 });
      expect(counts.get(b.id)).toEqual({ Message: 4, Contact: 1, Chat: 1 });
      expect(counts.get(c.id)).toEqual({ Message: 0, Contact: 0, Chat: -1 });
      // big values stay numbers
      await repos.counters.increment([{ instanceId: a.id, messages: 3_000_000_000, contacts: 0, chats: 0 }]);
      expect((await repos.counters.counts([a.id])).get(a.id)!.Message).toBe(3_000_000_003);
    });

    it('004 backfills the counters of existing instances from their rows, and adds the unique message key', async () => {
      const t2 = await createTestDatabase(provider);
      const db2 = await openDatabase(provider, t2.uri);
      try {
        const r2 = new Repositories(db2, ENCRYPTION_KEY);
        const { error, results } = await migratorOf(db2).migrateTo('003_correlation');
        expect(error).toBeUndefined();
        expect(results?.map((r) => r.migrationName)).toEqual(['001_initial', '002_outbox', '003_correlation']);

        const [a, b, c] = [await newInstance(r2), await newInstance(r2), await newInstance(r2)];
        const now = new Date().toISOString();
        // rows written before 004 (plain inserts: there is no unique key to conflict on yet)
        await db2.kysely.insertInto('messages').values([...Array.from({ length: 7 }, () => toRow(msg(a.id))), toRow(msg(b.id))]).execute();
        const chat = (instanceId: string, remoteJid: string) => ({ id: rowId(), instanceId, remoteJid, name: null, unreadMessages: 0, lastMessage: null, lastMessageTimestamp: null, lastInboundAt: null, createdAt: now, updatedAt: now });
        await db2.kysely.insertInto('chats').values([chat(a.id, jid(1)), chat(a.id, jid(2)), chat(a.id, jid(3)), chat(b.id, jid(1))]).execute();
        const contact = (instanceId: string, remoteJid: string) => ({ id: rowId(), instanceId, remoteJid, pushName: 'x', profilePicUrl: null, createdAt: now, updatedAt: now });
        await db2.kysely.insertInto('contacts').values([contact(a.id, jid(1)), contact(a.id, jid(2)), contact(b.id, jid(5))]).execute();

        expect(await migrateToLatest(db2)).toEqual(MIGRATION_NAMES.slice(MIGRATION_NAMES.indexOf('004_ingest')));
        const rows = await db2.kysely.selectFrom('instanceCounters').selectAll().execute();
        expect(rows.map((r) => r.instanceId).sort()).toEqual([a.id, b.id, c.id].sort());
        expect(await r2.counters.counts([a.id, b.id, c.id])).toEqual(
          new Map([
            [a.id, { Message: 7, Contact: 2, Chat: 3 }],
            [b.id, { Message: 1, Contact: 1, Chat: 1 }],
            [c.id, { Message: 0, Contact: 0, Chat: 0 }],
          ]),
        );
        // the unique key is in place: a redelivery of a pre-004 message is refused
        const before = await db2.kysely.selectFrom('messages').selectAll().where('instanceId', '=', b.id).executeTakeFirstOrThrow();
        const redelivery = { ...msg(b.id, { keyId: before.keyId, remoteJid: before.remoteJid, fromMe: before.fromMe === 1 }) };
        expect(await r2.transaction((t) => r2.messages.writes.insertNew([redelivery], t))).toEqual(new Set());
        // and deleting the instance takes its counters with it
        await db2.kysely.deleteFrom('instances').where('id', '=', c.id).execute();
        expect(await db2.kysely.selectFrom('instanceCounters').select('instanceId').where('instanceId', '=', c.id).execute()).toEqual([]);
      } finally {
        await db2.close();
        await t2.drop();
      }
    });
  });

  describe('ChatWrites.upsertContacts over several chunks', () => {
    it('a contact created by an earlier chunk of the same call stays reported as created', async () => {
      const [a, b] = [await newInstance(), await newInstance()];
      // 571 deltas fill the first chunk (7 columns, 4000 parameters); the second has one more of a and one of b whose jid a has in chunk 1
      const perChunk = chunks(new Array(1000).fill(0), 7)[0]!.length;
      const first = Array.from({ length: perChunk + 1 }, (_, i) => ({ instanceId: a.id, remoteJid: jid(50_000 + i), pushName: `a ${i}` }));
      const deltas = [...first, { instanceId: b.id, remoteJid: jid(50_000), pushName: 'b 0' }];
      const got = await upsertContacts(deltas);
      expect(got.size).toBe(deltas.length);
      const notCreated = [...got].filter(([, c]) => !c.created).map(([key]) => key);
      expect(notCreated).toEqual([]);
    });
  });

  describe('parameter limits', () => {
    it('upserts 3,000 chats and 3,000 contacts in one call each, then again as updates', async () => {
      const [a, b] = [await newInstance(), await newInstance()];
      const jids = Array.from({ length: 1500 }, (_, i) => jid(10_000 + i));
      const chatDeltas = [a, b].flatMap((inst) => jids.map((j, i) => chatDelta(inst.id, j, { name: `chat ${i}`, unreadIncrement: 1, lastMessage: { text: `m${i}` }, lastMessageTimestamp: 1_000 + i, lastInboundAt: 1_000 + i })));
      expect(chatDeltas).toHaveLength(3000);
      const created = await upsertChats(chatDeltas);
      expect(created.size).toBe(3000);
      expect(created).toEqual(new Set(chatDeltas.map((d) => k(d.instanceId, d.remoteJid))));
      const merged = await upsertChats(chatDeltas.map((d) => ({ ...d, unreadIncrement: 2, name: 'renamed', lastMessage: { text: 'later' }, lastMessageTimestamp: d.lastMessageTimestamp + 1 })));
      expect(merged).toEqual(new Set());
      const chats = await db.kysely.selectFrom('chats').selectAll().where('instanceId', 'in', [a.id, b.id]).execute();
      expect(chats).toHaveLength(3000);
      expect(chats.every((c) => c.unreadMessages === 3 && c.name!.startsWith('chat ') && JSON.parse(c.lastMessage!).text === 'later')).toBe(true);

      const contactDeltas = [a, b].flatMap((inst) => jids.map((j, i) => ({ instanceId: inst.id, remoteJid: j, pushName: `name ${i}` })));
      const contacts = await upsertContacts(contactDeltas);
      expect(contacts.size).toBe(3000);
      const notCreated = [...contacts].filter(([, c]) => !c.created).map(([key]) => key);
      expect(notCreated.length, `new contacts reported created:false, e.g. ${notCreated.slice(0, 2).join(', ')}`).toBe(0);
      expect(await upsertContacts(contactDeltas)).toEqual(new Map());
      const renamed = await upsertContacts(contactDeltas.map((d, i) => (i % 2 ? d : { ...d, pushName: `${d.pushName} (new)` })));
      expect(renamed.size).toBe(1500);
      expect([...renamed.values()].every((c) => !c.created && c.pushName!.endsWith(' (new)'))).toBe(true);
    });
  });

  describe('Unicode', () => {
    it('emoji and non-Latin names and message text round-trip, and emoji renames are changes', async () => {
      const a = await newInstance();
      const p = jid(41);
      const name = 'Zoë 🚀 日本語 👩‍👩‍👧 Ñandú';
      const m = msg(a.id, { remoteJid: p, pushName: name, message: { conversation: '🎉 olá, 世界 😀' } });
      expect(await insertNew([m])).toEqual(new Set([m.id]));
      const stored = await repos.messages.findByKeyId(a.id, m.key.id);
      expect(stored?.pushName).toBe(name);
      expect(stored?.message).toEqual({ conversation: '🎉 olá, 世界 😀' });

      await upsertChats([chatDelta(a.id, p, { name, lastMessage: { text: '😀' } })]);
      const chat = await chatRow(a.id, p);
      expect(chat.name).toBe(name);
      expect(JSON.parse(chat.lastMessage!)).toEqual({ text: '😀' });

      const created = await upsertContacts([{ instanceId: a.id, remoteJid: p, pushName: '🚀' }]);
      expect(created.get(k(a.id, p))).toMatchObject({ created: true, pushName: '🚀' });
      expect(await upsertContacts([{ instanceId: a.id, remoteJid: p, pushName: '🚀' }])).toEqual(new Map());
      // a *_ci or utf8mb4_general collation would take these for the same name
      const renamed = await upsertContacts([{ instanceId: a.id, remoteJid: p, pushName: '🎉' }]);
      expect(renamed.get(k(a.id, p))).toMatchObject({ created: false, pushName: '🎉' });
      const again3 = await upsertContacts([{ instanceId: a.id, remoteJid: p, pushName: name }]);
      expect(again3.get(k(a.id, p))).toMatchObject({ created: false, pushName: name });
      expect((await contactRow(a.id, p)).pushName).toBe(name);
    });
  });
}
