import { randomUUID } from 'node:crypto';
import { describe, it, expect, beforeAll, afterAll, vi } from 'vitest';
import { sql } from 'kysely';
import { instanceRow, messageRow, type MessageOverrides } from '../helpers/rows.js';
import { availableProviders, createTestDatabase, MYSQL_ADMIN, type TestDatabase } from '../helpers/databases.js';
import { openDatabase, type Db, type Provider } from '../../src/storage/db.js';
import { migrateToLatest, MIGRATION_NAMES } from '../../src/storage/migrate.js';
import { Repositories } from '../../src/storage/repositories.js';
import { sha256Hex } from '../../src/security/secrets.js';
import type { Instance, Settings, StoredMessage } from '../../src/domain/types.js';

const ENCRYPTION_KEY = 'storage-test-encryption-key';

const { run, skipped } = await availableProviders();

describe.each(run)('storage repositories on %s', (provider) => suite(provider));
for (const provider of skipped) describe.skip(`storage repositories on ${provider} (database not reachable)`, () => suite(provider));

function suite(provider: Provider): void {
  let tdb: TestDatabase;
  let db: Db;
  let repos: Repositories;
  let seq = 0;
  let migrations: string[][] = [];

  /** A fresh instance (unique name, number and token), inserted. createdAt increases with each call. */
  async function newInstance(over: Partial<Instance> = {}): Promise<Instance> {
    seq += 1;
    const inst = instanceRow(seq, 'inst', over);
    await repos.instances.insert(inst);
    return inst;
  }

  function msg(instanceId: string, over: MessageOverrides = {}): StoredMessage {
    return messageRow(instanceId, over, { remoteJid: '5511000000001@s.whatsapp.net', keyId: () => `3EB0${randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase()}` });
  }


  const page = (instanceId: string, extra: Record<string, unknown> = {}) => repos.messages.find({ instanceId, page: 1, pageSize: 50, ...extra });

  beforeAll(async () => {
    tdb = await createTestDatabase(provider);
    db = await openDatabase(provider, tdb.uri);
    repos = new Repositories(db, ENCRYPTION_KEY);
    // twice: the second run must find nothing to do
    migrations = [await migrateToLatest(db), await migrateToLatest(db)];
  });

  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });

  it('migrates to latest, and a second run is a no-op', async () => {
    expect(migrations[0]!.slice(0, 5)).toEqual(['001_initial', '002_outbox', '003_correlation', '004_ingest', '005_channel_keys']);
    expect(migrations).toEqual([MIGRATION_NAMES, []]);
    expect(await migrateToLatest(db)).toEqual([]);
    // every table exists and is empty
    for (const t of ['instances', 'settings', 'webhooks', 'messages', 'messageUpdates', 'chats', 'contacts', 'channelAuth', 'eventOutbox', 'eventAttempts'] as const) {
      const r = await db.kysely.selectFrom(t).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      expect(Number(r.n)).toBe(0);
    }
    const partitions = await db.kysely.selectFrom('outboxPartitions').selectAll().execute();
    expect(partitions).toHaveLength(64);
  });

  it('declares every foreign key, with ON DELETE CASCADE, in the database itself', async () => {
    const expected = [
      'channelAuth.instanceId->instances',
      'channelKeys.instanceId->instances',
      'chatLabels.instanceId->instances',
      'chatbotSessions.botId->chatbots',
      'chatbotSessions.instanceId->instances',
      'chatbotSettings.instanceId->instances',
      'chatbots.instanceId->instances',
      'chats.instanceId->instances',
      'chatwootConfigs.instanceId->instances',
      'chatwootMessages.instanceId->instances',
      'chatwootOutbox.instanceId->instances',
      'contacts.instanceId->instances',
      'eventTransports.instanceId->instances',
      'instanceCounters.instanceId->instances',
      'labels.instanceId->instances',
      'media.instanceId->instances',
      'messageUpdates.instanceId->instances',
      'messageUpdates.messageId->messages',
      'messages.instanceId->instances',
      'openaiCreds.instanceId->instances',
      'pollVotes.instanceId->instances',
      'pollVotes.messageId->messages',
      'proxies.instanceId->instances',
      'settings.instanceId->instances',
      'templates.instanceId->instances',
      'webhooks.instanceId->instances',
    ];
    let found: string[] = [];
    if (provider === 'sqlite') {
      for (const t of ['settings', 'webhooks', 'messages', 'messageUpdates', 'chats', 'contacts', 'channelAuth', 'channelKeys', 'instanceCounters', 'media', 'labels', 'chatLabels', 'pollVotes', 'proxies', 'templates', 'chatbots', 'chatbotSettings', 'chatbotSessions', 'openaiCreds', 'chatwootConfigs', 'chatwootMessages', 'chatwootOutbox', 'eventTransports']) {
        const { rows } = await sql<{ from: string; table: string; on_delete: string }>`select * from pragma_foreign_key_list(${t})`.execute(db.kysely);
        found.push(...rows.map((r) => `${t}.${r.from}->${r.table}:${r.on_delete}`));
      }
    } else {
      // MySQL parses but ignores REFERENCES written inline in a column definition: ask the database what it enforces
      const refTable = provider === 'mysql' ? sql`k.referenced_table_name` : sql`u.table_name`;
      const refJoin = provider === 'mysql' ? sql`` : sql`join information_schema.constraint_column_usage u on u.constraint_name = rc.constraint_name and u.constraint_schema = rc.constraint_schema`;
      const schema = provider === 'mysql' ? sql`database()` : sql`current_schema()`;
      const { rows } = await sql<{ t: string; c: string; r: string; d: string }>`
        select k.table_name as t, k.column_name as c, ${refTable} as r, rc.delete_rule as d
        from information_schema.referential_constraints rc
        join information_schema.key_column_usage k on k.constraint_name = rc.constraint_name and k.constraint_schema = rc.constraint_schema
        ${refJoin}
        where rc.constraint_schema = ${schema}`.execute(db.kysely);
      found = rows.map((r) => `${r.t}.${r.c}->${r.r}:${r.d}`);
    }
    expect(found.sort()).toEqual(expected.map((e) => `${e}:CASCADE`));
  });

  it('inserts an instance, finds it by name and lists it with every filter', async () => {
    const a = await newInstance({ ownerJid: '5511999990001@s.whatsapp.net', profileName: 'Ana Ção', disconnectionReasonCode: 401, disconnectionObject: '{"error":"x"}', disconnectionAt: '2024-01-01T00:00:00.000Z' });
    const b = await newInstance();

    const found = await repos.instances.findByName(a.name);
    expect(found).toEqual(a);
    expect(await repos.instances.findByName('does-not-exist')).toBeUndefined();

    const all = await repos.instances.list();
    expect(all.map((i) => i.id)).toEqual(expect.arrayContaining([a.id, b.id]));
    // ordered by createdAt
    expect(all.findIndex((i) => i.id === a.id)).toBeLessThan(all.findIndex((i) => i.id === b.id));

    expect((await repos.instances.list({ name: a.name })).map((i) => i.id)).toEqual([a.id]);
    expect((await repos.instances.list({ id: b.id })).map((i) => i.id)).toEqual([b.id]);
    expect((await repos.instances.list({ number: b.number! })).map((i) => i.id)).toEqual([b.id]);
    expect((await repos.instances.list({ tokenHash: a.tokenHash })).map((i) => i.id)).toEqual([a.id]);
    expect((await repos.instances.list({ name: a.name, id: b.id }))).toEqual([]);
    expect((await repos.instances.list({ tokenHash: 'nope' }))).toEqual([]);
  });

  it('stores the token sealed and returns it decrypted', async () => {
    const a = await newInstance();
    const raw = await db.kysely.selectFrom('instances').select(['tokenEnc', 'tokenHash']).where('id', '=', a.id).executeTakeFirstOrThrow();
    expect(raw.tokenEnc).not.toContain(a.token);
    expect(raw.tokenEnc.startsWith('v1.')).toBe(true);
    expect(raw.tokenHash).toBe(sha256Hex(a.token));
    const back = await repos.instances.findByName(a.name);
    expect(back!.token).toBe(a.token);
    // another key cannot open it
    const other = new Repositories(db, 'some-other-key');
    await expect(other.instances.findByName(a.name)).rejects.toThrow();
  });

  it('updateState changes the state fields and bumps updatedAt', async () => {
    const a = await newInstance();
    await repos.instances.updateState(a.id, { connectionStatus: 'open', ownerJid: '5511888880000@s.whatsapp.net', profileName: 'Zoë', number: '5511888880000', disconnectionReasonCode: null });
    const back = (await repos.instances.findByName(a.name))!;
    expect(back.connectionStatus).toBe('open');
    expect(back.ownerJid).toBe('5511888880000@s.whatsapp.net');
    expect(back.profileName).toBe('Zoë');
    expect(back.number).toBe('5511888880000');
    expect(back.token).toBe(a.token);
    expect(back.createdAt).toBe(a.createdAt);
    expect(back.updatedAt > a.updatedAt).toBe(true);

    await repos.instances.updateState(a.id, { connectionStatus: 'close', disconnectionReasonCode: 401, disconnectionObject: '{"reason":"logged out"}', disconnectionAt: '2024-02-02T00:00:00.000Z' });
    const closed = (await repos.instances.findByName(a.name))!;
    expect(closed).toMatchObject({ connectionStatus: 'close', disconnectionReasonCode: 401, disconnectionObject: '{"reason":"logged out"}', disconnectionAt: '2024-02-02T00:00:00.000Z', profileName: 'Zoë' });
  });

  it('upserts settings twice (insert then update) with booleans round-tripping as booleans', async () => {
    const a = await newInstance();
    expect(await repos.settings.find(a.id)).toBeUndefined();
    const first: Settings = { rejectCall: true, msgCall: 'Não posso atender 📵', groupsIgnore: false, alwaysOnline: true, readMessages: false, readStatus: true, syncFullHistory: false, wavoipToken: '' };
    const inserted = await repos.settings.upsert(a.id, first);
    expect(inserted).toMatchObject({ ...first, instanceId: a.id });
    expect(typeof inserted.rejectCall).toBe('boolean');
    expect(typeof inserted.groupsIgnore).toBe('boolean');

    const second: Settings = { rejectCall: false, msgCall: '', groupsIgnore: true, alwaysOnline: false, readMessages: true, readStatus: false, syncFullHistory: true, wavoipToken: 'wt' };
    const updated = await repos.settings.upsert(a.id, second);
    expect(updated).toMatchObject({ ...second, id: inserted.id, instanceId: a.id, createdAt: inserted.createdAt });
    const found = await repos.settings.find(a.id);
    expect(found).toEqual(updated);
    for (const k of ['rejectCall', 'groupsIgnore', 'alwaysOnline', 'readMessages', 'readStatus', 'syncFullHistory'] as const) expect(typeof found![k]).toBe('boolean');

    // the same values again right away (nothing changes in the row but updatedAt) still updates, never a duplicate insert
    await repos.settings.upsert(a.id, second);
    await repos.settings.upsert(a.id, second);
    const rows = await db.kysely.selectFrom('settings').select('id').where('instanceId', '=', a.id).execute();
    expect(rows).toHaveLength(1);

    const many = await repos.settings.findMany([a.id, 'missing']);
    expect([...many.keys()]).toEqual([a.id]);
    expect(many.get(a.id)).toMatchObject(second);
  });

  it('upserts and finds a webhook with headers and events JSON', async () => {
    const a = await newInstance();
    expect(await repos.webhooks.find(a.id)).toBeUndefined();
    const input = { url: 'https://example.com/hook?x=1', headers: { authorization: 'Bearer abc', 'x-ünïcode': 'çà' }, enabled: true, events: ['MESSAGES_UPSERT', 'CONNECTION_UPDATE'], webhookByEvents: false, webhookBase64: true };
    const created = await repos.webhooks.upsert(a.id, input);
    expect(created).toMatchObject({ ...input, instanceId: a.id });
    expect(await repos.webhooks.find(a.id)).toEqual(created);

    const changed = await repos.webhooks.upsert(a.id, { url: 'https://example.org/other', headers: null, enabled: false, events: [], webhookByEvents: true, webhookBase64: false });
    expect(changed).toMatchObject({ id: created.id, url: 'https://example.org/other', headers: null, enabled: false, events: [], webhookByEvents: true, webhookBase64: false, createdAt: created.createdAt });
    expect(await repos.webhooks.find(a.id)).toEqual(changed);
    expect((await repos.webhooks.findAll()).filter((w) => w.instanceId === a.id)).toEqual([changed]);
  });

  it('inserts a batch of messages and finds them with each filter', async () => {
    const a = await newInstance();
    const other = await newInstance();
    const jid1 = '5511000000001@s.whatsapp.net';
    const jid2 = '120363000000000001@g.us';
    const m1 = msg(a.id, { keyId: 'K1', remoteJid: jid1, fromMe: false, messageTimestamp: 1000, source: 'android' });
    const m2 = msg(a.id, { keyId: 'K2', remoteJid: jid1, fromMe: true, messageTimestamp: 2000, status: 'PENDING', pushName: 'Você' });
    const m3 = msg(a.id, { keyId: 'K3', remoteJid: jid2, fromMe: false, messageTimestamp: 3000, participant: '5511000000009@s.whatsapp.net', messageType: 'imageMessage', message: { imageMessage: { url: 'https://x/y.jpg', caption: 'pic' } }, contextInfo: { stanzaId: 'K1' } });
    const m4 = msg(a.id, { keyId: 'K4', remoteJid: jid2, fromMe: true, messageTimestamp: 4000, source: 'ios' });
    const mOther = msg(other.id, { keyId: 'K1', remoteJid: jid1, messageTimestamp: 1500 });
    await repos.messages.insert([m1, m2, m3, m4]);
    await repos.messages.insert([mOther]);
    await repos.messages.insert([]);

    const all = await page(a.id);
    expect(all.total).toBe(4);
    expect(all.records.map((r) => r.key.id)).toEqual(['K4', 'K3', 'K2', 'K1']);
    const r3 = all.records.find((r) => r.id === m3.id)!;
    expect(r3).toEqual({ ...m3, MessageUpdate: [] });
    expect(typeof r3.messageTimestamp).toBe('number');
    expect(all.records.find((r) => r.id === m1.id)!.contextInfo).toBeNull();

    const ids = async (extra: Record<string, unknown>) => {
      const r = await page(a.id, extra);
      expect(r.total).toBe(r.records.length);
      return r.records.map((m) => m.key.id);
    };
    expect(await ids({ keyId: 'K1' })).toEqual(['K1']);
    expect(await ids({ id: m2.id })).toEqual(['K2']);
    expect(await ids({ fromMe: true })).toEqual(['K4', 'K2']);
    expect(await ids({ fromMe: false })).toEqual(['K3', 'K1']);
    expect(await ids({ remoteJid: jid2 })).toEqual(['K4', 'K3']);
    expect(await ids({ participant: '5511000000009@s.whatsapp.net' })).toEqual(['K3']);
    expect(await ids({ messageType: 'imageMessage' })).toEqual(['K3']);
    expect(await ids({ messageType: 'conversation' })).toEqual(['K4', 'K2', 'K1']);
    expect(await ids({ source: 'ios' })).toEqual(['K4']);
    expect(await ids({ source: 'web' })).toEqual(['K3', 'K2']);
    expect(await ids({ timestampGte: 2000 })).toEqual(['K4', 'K3', 'K2']);
    expect(await ids({ timestampLte: 2000 })).toEqual(['K2', 'K1']);
    expect(await ids({ timestampGte: 1500, timestampLte: 3500 })).toEqual(['K3', 'K2']);
    expect(await ids({ remoteJid: jid1, fromMe: true })).toEqual(['K2']);
    expect(await ids({ keyId: 'nope' })).toEqual([]);

    // the other instance's K1 is not mixed in
    const o = await page(other.id, { keyId: 'K1' });
    expect(o.records.map((r) => r.id)).toEqual([mOther.id]);

    expect((await repos.messages.findByKeyId(a.id, 'K3'))!.id).toBe(m3.id);
    expect((await repos.messages.findByKeyId(a.id, 'K3', jid1))).toBeUndefined();
    expect((await repos.messages.findByKeyId(other.id, 'K1', jid1))!.id).toBe(mOther.id);
  });

  it('paginates messages newest first with a stable order and the total', async () => {
    const a = await newInstance();
    // 7 messages; three share one timestamp so the tie-break decides their order
    const stamps = [100, 200, 300, 300, 300, 400, 500];
    const batch = stamps.map((t, i) => msg(a.id, { keyId: `P${i}`, messageTimestamp: t }));
    await repos.messages.insert(batch);

    const full = await page(a.id);
    expect(full.total).toBe(7);
    const order = full.records.map((r) => r.id);
    const ts = full.records.map((r) => r.messageTimestamp);
    expect(ts).toEqual([...ts].sort((x, y) => y - x));

    const seen: string[] = [];
    for (let p = 1; p <= 3; p++) {
      const r = await repos.messages.find({ instanceId: a.id, page: p, pageSize: 3 });
      expect(r.total).toBe(7);
      expect(r.records.length).toBe(p < 3 ? 3 : 1);
      seen.push(...r.records.map((m) => m.id));
    }
    expect(seen).toEqual(order);
    expect(new Set(seen).size).toBe(7);
    const beyond = await repos.messages.find({ instanceId: a.id, page: 4, pageSize: 3 });
    expect(beyond).toEqual({ total: 7, records: [] });

    // asking twice gives the same order
    expect((await page(a.id)).records.map((r) => r.id)).toEqual(order);
  });

  it('records status updates in order and updates the message status', async () => {
    const a = await newInstance();
    const m = msg(a.id, { keyId: 'S1', fromMe: true, status: 'PENDING' });
    const untouched = msg(a.id, { keyId: 'S2', fromMe: true, status: 'PENDING', messageTimestamp: 1 });
    await repos.messages.insert([m, untouched]);
    const statuses = ['SERVER_ACK', 'DELIVERY_ACK', 'READ', 'PLAYED'];
    for (const status of statuses) await repos.messages.recordStatus({ messageId: m.id, instanceId: a.id, key: m.key, status });

    const r = await page(a.id, { keyId: 'S1' });
    expect(r.records).toHaveLength(1);
    expect(r.records[0]!.status).toBe('PLAYED');
    expect(r.records[0]!.MessageUpdate).toEqual(statuses.map((status) => ({ status })));
    expect((await page(a.id, { keyId: 'S2' })).records[0]).toMatchObject({ status: 'PENDING', MessageUpdate: [] });

    const rows = await db.kysely.selectFrom('messageUpdates').selectAll().where('messageId', '=', m.id).execute();
    expect(rows).toHaveLength(4);
    for (const u of rows) expect(u).toMatchObject({ instanceId: a.id, keyId: 'S1', remoteJid: m.key.remoteJid, participant: null });
    expect(rows.every((u) => Number(u.fromMe) === 1)).toBe(true);

    // many messages acknowledged in quick succession (equal createdAt): each history keeps its order on one page
    const many = Array.from({ length: 12 }, (_, i) => msg(a.id, { keyId: `H${i}`, fromMe: true, status: 'PENDING', messageTimestamp: 5000 + i }));
    await repos.messages.insert(many);
    for (const status of statuses) for (const x of many) await repos.messages.recordStatus({ messageId: x.id, instanceId: a.id, key: x.key, status });
    const hist = await repos.messages.find({ instanceId: a.id, timestampGte: 5000, timestampLte: 5011, page: 1, pageSize: 50 });
    expect(hist.records).toHaveLength(12);
    for (const rec of hist.records) expect(rec.MessageUpdate.map((u) => u.status)).toEqual(statuses);

    // even when the clock does not move between updates (many acks within one millisecond)
    const frozen = Array.from({ length: 12 }, (_, i) => msg(a.id, { keyId: `F${i}`, fromMe: true, status: 'PENDING', messageTimestamp: 6000 + i }));
    await repos.messages.insert(frozen);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2030-01-01T00:00:00.000Z'));
    try {
      for (const status of statuses) for (const x of frozen) await repos.messages.recordStatus({ messageId: x.id, instanceId: a.id, key: x.key, status });
    } finally {
      vi.useRealTimers();
    }
    const still = await repos.messages.find({ instanceId: a.id, timestampGte: 6000, timestampLte: 6011, page: 1, pageSize: 50 });
    expect(still.records).toHaveLength(12);
    for (const rec of still.records) expect(rec.MessageUpdate.map((u) => u.status)).toEqual(statuses);

    // within a transaction too
    await repos.transaction((tx) => repos.messages.recordStatus({ messageId: untouched.id, instanceId: a.id, key: untouched.key, status: 'ERROR' }, tx));
    expect((await page(a.id, { keyId: 'S2' })).records[0]).toMatchObject({ status: 'ERROR', MessageUpdate: [{ status: 'ERROR' }] });
  });

  it('touches chats: created then not, unread counts only when asked, lastMessage JSON round trip', async () => {
    const a = await newInstance();
    const jid = '5511777770000@s.whatsapp.net';
    const last1 = { key: { id: 'C1', fromMe: false, remoteJid: jid }, message: { conversation: 'olá 👋' }, messageTimestamp: 10 };
    const t1 = await repos.chats.touch({ instanceId: a.id, remoteJid: jid, name: 'Bob', lastMessage: last1, timestamp: 10, inbound: true, countUnread: true });
    expect(t1).toEqual({ created: true, unreadMessages: 1 });
    const t2 = await repos.chats.touch({ instanceId: a.id, remoteJid: jid, name: 'Robert', lastMessage: { n: 2 }, timestamp: 20, inbound: true, countUnread: true });
    expect(t2).toEqual({ created: false, unreadMessages: 2 });
    const last3 = { key: { id: 'C3', fromMe: true, remoteJid: jid }, message: { conversation: 'réponse' }, nested: [1, null, true, { deep: 'ü' }] };
    const t3 = await repos.chats.touch({ instanceId: a.id, remoteJid: jid, name: null, lastMessage: last3, timestamp: 30, inbound: false, countUnread: false });
    expect(t3).toEqual({ created: false, unreadMessages: 2 });

    const [chat] = await repos.chats.find({ instanceId: a.id });
    expect(chat).toMatchObject({ remoteJid: jid, name: 'Bob', pushName: 'Bob', unreadCount: 2, lastMessage: last3, lastInboundAt: 20, profilePicUrl: null });
    expect(typeof chat!.unreadCount).toBe('number');

    // markRead resets, and a second markRead reports nothing changed
    expect(await repos.chats.markRead(a.id, jid)).toBe(true);
    expect(await repos.chats.markRead(a.id, jid)).toBe(false);
    expect(await repos.chats.markRead(a.id, 'unknown@s.whatsapp.net')).toBe(false);
    expect((await repos.chats.find({ instanceId: a.id, remoteJid: jid }))[0]!.unreadCount).toBe(0);

    // a chat created by an outbound message has no unread and no inbound time; name fills in later
    const jid2 = '5511777770001@s.whatsapp.net';
    expect(await repos.chats.touch({ instanceId: a.id, remoteJid: jid2, name: null, lastMessage: null, timestamp: 5, inbound: false, countUnread: false })).toEqual({ created: true, unreadMessages: 0 });
    await repos.chats.touch({ instanceId: a.id, remoteJid: jid2, name: 'Carol', lastMessage: 'text', timestamp: 6, inbound: true, countUnread: false });
    const [c2] = await repos.chats.find({ instanceId: a.id, remoteJid: jid2 });
    expect(c2).toMatchObject({ name: 'Carol', unreadCount: 0, lastMessage: 'text', lastInboundAt: 6 });
  });

  it('finds chats ordered by last message time with take/skip and joins contact pushName', async () => {
    const a = await newInstance();
    const other = await newInstance();
    const jids = ['551100000000@s.whatsapp.net', '551100000001@s.whatsapp.net', '551100000002@s.whatsapp.net', '551100000003@s.whatsapp.net'];
    const times = [300, 100, 400, 200];
    for (let i = 0; i < jids.length; i++) await repos.chats.touch({ instanceId: a.id, remoteJid: jids[i]!, name: i === 3 ? 'Chat Name' : null, lastMessage: { i }, timestamp: times[i]!, inbound: true, countUnread: true });
    await repos.chats.touch({ instanceId: other.id, remoteJid: jids[0]!, name: null, lastMessage: null, timestamp: 999, inbound: true, countUnread: true });
    await repos.contacts.upsert(a.id, jids[0]!, 'Zé Ninguém');
    await repos.contacts.upsert(other.id, jids[2]!, 'Other instance contact');

    const all = await repos.chats.find({ instanceId: a.id });
    expect(all.map((c) => c.remoteJid)).toEqual([jids[2], jids[0], jids[3], jids[1]]);
    expect(all.find((c) => c.remoteJid === jids[0])!.pushName).toBe('Zé Ninguém');
    expect(all.find((c) => c.remoteJid === jids[2])!.pushName).toBeNull(); // the other instance's contact is not joined
    expect(all.find((c) => c.remoteJid === jids[3])!.pushName).toBe('Chat Name'); // falls back to the chat name

    expect((await repos.chats.find({ instanceId: a.id, take: 2 })).map((c) => c.remoteJid)).toEqual([jids[2], jids[0]]);
    expect((await repos.chats.find({ instanceId: a.id, take: 2, skip: 1 })).map((c) => c.remoteJid)).toEqual([jids[0], jids[3]]);
    expect((await repos.chats.find({ instanceId: a.id, skip: 3 })).map((c) => c.remoteJid)).toEqual([jids[1]]);
    expect((await repos.chats.find({ instanceId: a.id, timestampGte: 200, timestampLte: 300 })).map((c) => c.remoteJid)).toEqual([jids[0], jids[3]]);
    expect((await repos.chats.find({ instanceId: other.id })).map((c) => c.remoteJid)).toEqual([jids[0]]);
  });

  it('upserts contacts with created/changed flags and finds them with pagination', async () => {
    const a = await newInstance();
    const jid = '5511666660000@s.whatsapp.net';
    const c1 = await repos.contacts.upsert(a.id, jid, 'Dani');
    expect(c1).toMatchObject({ created: true, changed: true, contact: { instanceId: a.id, remoteJid: jid, pushName: 'Dani', profilePicUrl: null } });
    const same = await repos.contacts.upsert(a.id, jid, 'Dani');
    expect(same).toMatchObject({ created: false, changed: false, contact: { id: c1.contact.id, pushName: 'Dani' } });
    const noName = await repos.contacts.upsert(a.id, jid, null);
    expect(noName).toMatchObject({ created: false, changed: false, contact: { pushName: 'Dani' } });
    const renamed = await repos.contacts.upsert(a.id, jid, 'Daniela 🌸');
    expect(renamed).toMatchObject({ created: false, changed: true, contact: { id: c1.contact.id, pushName: 'Daniela 🌸' } });
    const [stored] = await repos.contacts.find(a.id, jid);
    expect(stored).toEqual(renamed.contact);

    const nameless = await repos.contacts.upsert(a.id, '5511666660001@s.whatsapp.net', null);
    expect(nameless).toMatchObject({ created: true, changed: true, contact: { pushName: null } });

    for (let i = 2; i < 6; i++) await repos.contacts.upsert(a.id, `551166666000${i}@s.whatsapp.net`, `C${i}`);
    const all = await repos.contacts.find(a.id);
    expect(all).toHaveLength(6);
    const p1 = await repos.contacts.find(a.id, undefined, { skip: 0, take: 4 });
    const p2 = await repos.contacts.find(a.id, undefined, { skip: 4, take: 4 });
    expect(p1).toHaveLength(4);
    expect(p2).toHaveLength(2);
    expect([...p1, ...p2].map((c) => c.id)).toEqual(all.map((c) => c.id));
    // newest updated first
    const updated = all.map((c) => c.updatedAt);
    expect(updated).toEqual([...updated].sort().reverse());
    expect(await repos.contacts.find(a.id, 'nobody@s.whatsapp.net')).toEqual([]);
  });

  it('saves, loads and clears the auth state, sealed at rest', async () => {
    const a = await newInstance();
    expect(await repos.authState.load(a.id)).toBeUndefined();
    const state = { creds: { me: { id: '5511@s.whatsapp.net', name: 'Éva' }, noiseKey: 'SECRET-NOISE-KEY' }, keys: { 'pre-key': { 1: 'abc' } } };
    await repos.authState.save(a.id, state);
    expect(await repos.authState.load(a.id)).toEqual(state);
    const raw = await db.kysely.selectFrom('channelAuth').select('data').where('instanceId', '=', a.id).executeTakeFirstOrThrow();
    expect(raw.data).not.toContain('SECRET-NOISE-KEY');
    expect(raw.data).not.toContain('creds');

    const next = { ...state, creds: { ...state.creds, noiseKey: 'ROTATED' } };
    await repos.authState.save(a.id, next);
    await repos.authState.save(a.id, next);
    expect(await repos.authState.load(a.id)).toEqual(next);
    expect(await db.kysely.selectFrom('channelAuth').select('instanceId').where('instanceId', '=', a.id).execute()).toHaveLength(1);

    await repos.authState.clear(a.id);
    expect(await repos.authState.load(a.id)).toBeUndefined();
    await repos.authState.clear(a.id);
  });

  it('counts messages, contacts and chats per instance', async () => {
    const a = await newInstance();
    const b = await newInstance();
    const empty = await newInstance();
    await repos.messages.insert([msg(a.id), msg(a.id), msg(a.id), msg(b.id)]);
    await repos.contacts.upsert(a.id, '1@s.whatsapp.net', 'x');
    await repos.contacts.upsert(a.id, '2@s.whatsapp.net', 'y');
    await repos.chats.touch({ instanceId: b.id, remoteJid: '1@s.whatsapp.net', name: null, lastMessage: null, timestamp: 1, inbound: false, countUnread: false });
    const counts = await repos.instances.counts([a.id, b.id, empty.id]);
    expect(counts.get(a.id)).toEqual({ Message: 3, Contact: 2, Chat: 0 });
    expect(counts.get(b.id)).toEqual({ Message: 1, Contact: 0, Chat: 1 });
    expect(counts.get(empty.id)).toEqual({ Message: 0, Contact: 0, Chat: 0 });
    for (const v of counts.values()) for (const n of Object.values(v)) expect(typeof n).toBe('number');
    expect((await repos.instances.counts([])).size).toBe(0);
  });

  it('deleting an instance cascades to everything it owns, and nothing else', async () => {
    const a = await newInstance();
    const keep = await newInstance();
    for (const inst of [a, keep]) {
      const m = msg(inst.id);
      await repos.messages.insert([m, msg(inst.id)]);
      await repos.messages.recordStatus({ messageId: m.id, instanceId: inst.id, key: m.key, status: 'READ' });
      await repos.chats.touch({ instanceId: inst.id, remoteJid: m.key.remoteJid, name: null, lastMessage: null, timestamp: 1, inbound: true, countUnread: true });
      await repos.contacts.upsert(inst.id, m.key.remoteJid, 'Someone');
      await repos.settings.upsert(inst.id, { rejectCall: true, msgCall: '', groupsIgnore: false, alwaysOnline: false, readMessages: false, readStatus: false, syncFullHistory: false, wavoipToken: '' });
      await repos.webhooks.upsert(inst.id, { url: 'https://example.com', headers: null, enabled: true, events: [], webhookByEvents: false, webhookBase64: false });
      await repos.authState.save(inst.id, { creds: 1 });
    }
    const tables = ['messages', 'messageUpdates', 'chats', 'contacts', 'settings', 'webhooks', 'channelAuth'] as const;
    const countFor = async (id: string) => {
      const out: Record<string, number> = {};
      for (const t of tables) {
        const r = await db.kysely.selectFrom(t).select((eb) => eb.fn.countAll<number>().as('n')).where('instanceId', '=', id).executeTakeFirstOrThrow();
        out[t] = Number(r.n);
      }
      return out;
    };
    const expected = { messages: 2, messageUpdates: 1, chats: 1, contacts: 1, settings: 1, webhooks: 1, channelAuth: 1 };
    expect(await countFor(a.id)).toEqual(expected);

    await repos.instances.delete(a.id);
    expect(await repos.instances.findByName(a.name)).toBeUndefined();
    expect(await countFor(a.id)).toEqual({ messages: 0, messageUpdates: 0, chats: 0, contacts: 0, settings: 0, webhooks: 0, channelAuth: 0 });
    expect(await countFor(keep.id)).toEqual(expected);
  });

  it('round-trips unicode text (emoji, accents, other scripts) in message JSON', async () => {
    const a = await newInstance();
    const text = 'Olá, São Paulo! Ça va? Ñandú 😀👨‍👩‍👧‍👦🇧🇷 𝄞 中文 العربية עברית ﷽ \u0000-free \\ "quoted" \n new line';
    const m = msg(a.id, { keyId: 'U1', pushName: 'Zoë 🐱', message: { conversation: text, extendedTextMessage: { text, contextInfo: { mentionedJid: ['ü@s.whatsapp.net'] } } } });
    await repos.messages.insert([m]);
    const [back] = (await page(a.id, { keyId: 'U1' })).records;
    expect(back!.message).toEqual(m.message);
    expect(back!.pushName).toBe('Zoë 🐱');
    expect((back!.message as { conversation: string }).conversation).toBe(text);
  });

  it('round-trips a large (200 KB) message JSON', async () => {
    const a = await newInstance();
    const base64 = Buffer.alloc(160 * 1024, 7).toString('base64'); // ~213 KB of text
    expect(base64.length).toBeGreaterThan(200 * 1024);
    const m = msg(a.id, { keyId: 'L1', messageType: 'imageMessage', message: { imageMessage: { mimetype: 'image/jpeg', caption: 'grande 🖼️' }, base64 } });
    await repos.messages.insert([m]);
    const [back] = (await page(a.id, { keyId: 'L1' })).records;
    expect((back!.message as { base64: string }).base64.length).toBe(base64.length);
    expect(back!.message).toEqual(m.message);
    // the same size as a chat's last message
    await repos.chats.touch({ instanceId: a.id, remoteJid: m.key.remoteJid, name: null, lastMessage: m, timestamp: 1, inbound: true, countUnread: true });
    const [chat] = await repos.chats.find({ instanceId: a.id });
    expect((chat!.lastMessage as StoredMessage).message).toEqual(m.message);
  });

  it('on a database created with legacy defaults, still stores emoji and compares names and ids exactly', async () => {
    // The helper creates MySQL databases as utf8mb4_bin; a plain CREATE DATABASE on stock MySQL 5.7 / MariaDB is latin1 (and
    // *_ci collations compare case- and accent-insensitively). The schema must not depend on how the database was created.
    const legacy = provider === 'mysql' ? await createLegacyMysqlDatabase() : await createTestDatabase(provider);
    const ldb = await openDatabase(provider, legacy.uri);
    try {
      await migrateToLatest(ldb);
      const r = new Repositories(ldb, ENCRYPTION_KEY);
      const mk = (name: string): Instance => ({ id: randomUUID(), name, connectionStatus: 'close', ownerJid: null, profileName: 'Zoë 😀', profilePicUrl: null, integration: 'SANDBOX', number: null, businessId: null, token: 't', tokenHash: sha256Hex(name), clientName: 'evolution', disconnectionReasonCode: null, disconnectionObject: null, disconnectionAt: null, createdAt: '2024-01-01T00:00:00.000Z', updatedAt: '2024-01-01T00:00:00.000Z' });
      await r.instances.insert(mk('Shop'));
      await r.instances.insert(mk('shop')); // a different instance on every database
      await r.instances.insert(mk('café'));
      expect((await r.instances.findByName('Shop'))!.profileName).toBe('Zoë 😀');
      expect((await r.instances.list({ name: 'shop' })).map((i) => i.name)).toEqual(['shop']);
      expect(await r.instances.findByName('cafe')).toBeUndefined();
      const shop = (await r.instances.findByName('Shop'))!;
      const upper = msg(shop.id, { keyId: '3EB0ABCDEF', message: { conversation: 'olá 👋🏽' } });
      const lower = msg(shop.id, { keyId: '3eb0abcdef', messageTimestamp: 1 });
      await r.messages.insert([upper, lower]);
      const found = await r.messages.find({ instanceId: shop.id, keyId: '3EB0ABCDEF', page: 1, pageSize: 10 });
      expect(found.records.map((m) => m.id)).toEqual([upper.id]);
      expect(found.records[0]!.message).toEqual({ conversation: 'olá 👋🏽' });
    } finally {
      await ldb.close();
      await legacy.drop();
    }
  });
}

async function createLegacyMysqlDatabase(): Promise<{ uri: string; drop(): Promise<void> }> {
  const mysql = await import('mysql2/promise');
  const name = `gw_test_legacy_${randomUUID().slice(0, 8)}`;
  const admin = async (q: string) => {
    const c = await mysql.createConnection({ uri: MYSQL_ADMIN });
    try {
      await c.query(q);
    } finally {
      await c.end();
    }
  };
  await admin(`CREATE DATABASE ${name} CHARACTER SET latin1 COLLATE latin1_swedish_ci`);
  const url = new URL(MYSQL_ADMIN);
  url.pathname = `/${name}`;
  return { uri: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name}`) };
}
