import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { instanceRow } from '../helpers/rows.js';
import { availableProviders, createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { openDatabase, type Db, type Provider } from '../../src/storage/db.js';
import { migrateToLatest } from '../../src/storage/migrate.js';
import { Repositories } from '../../src/storage/repositories.js';
import { SecretBox } from '../../src/security/secrets.js';
import { ChatwootConfigRepository } from '../../src/chatbots/chatwoot/configRepository.js';
import { MessageMap } from '../../src/chatbots/chatwoot/messageMap.js';
import { ChatwootOutboxRepository } from '../../src/chatbots/chatwoot/outboxRepository.js';
import { settingsOf } from '../../src/chatbots/chatwoot/settings.js';
import { cw } from '../../src/chatbots/chatwoot/tables.js';

/** Migration 015's tables through their repositories, on every database: sealed token, unique links, deduplicated outbox. */
const { run, skipped } = await availableProviders();
describe.each(run)('chatwoot storage on %s', (provider) => suite(provider));
for (const provider of skipped) describe.skip(`chatwoot storage on ${provider} (database not reachable)`, () => suite(provider));

function suite(provider: Provider): void {
  let tdb: TestDatabase;
  let db: Db;
  let repos: Repositories;
  let configs: ChatwootConfigRepository;
  let map: MessageMap;
  let outbox: ChatwootOutboxRepository;
  let instanceId = '';
  let seq = 0;

  beforeAll(async () => {
    tdb = await createTestDatabase(provider);
    db = await openDatabase(provider, tdb.uri);
    await migrateToLatest(db);
    repos = new Repositories(db, 'k');
    configs = new ChatwootConfigRepository(db, new SecretBox('k'));
    map = new MessageMap(db);
    outbox = new ChatwootOutboxRepository(db);
    const inst = instanceRow(++seq, 'cwstore');
    await repos.instances.insert(inst);
    instanceId = inst.id;
  }, 60_000);
  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });

  it('stores one configuration per instance, the token sealed, and keeps the webhook secret on update', async () => {
    const s = settingsOf({ enabled: true, accountId: '7', token: 'secret-user-token', url: 'https://cw.example.com/', signMsg: true, signDelimiter: '\n', ignoreJids: ['@g.us'] }, 'cwstore');
    const first = await configs.upsert(instanceId, s, '3', 'hook-secret-1');
    expect(first).toMatchObject({ enabled: true, accountId: '7', token: 'secret-user-token', url: 'https://cw.example.com', nameInbox: 'cwstore', signDelimiter: '\n', ignoreJids: ['@g.us'], inboxId: '3', webhookToken: 'hook-secret-1', importContacts: true, daysLimitImportMessages: 60 });
    const second = await configs.upsert(instanceId, { ...s, signMsg: false }, null, 'hook-secret-2');
    expect(second.signMsg).toBe(false);
    expect(second.webhookToken).toBe('hook-secret-1');
    expect(second.id).toBe(first.id);
    const raw = await cw(db.kysely).selectFrom('chatwootConfigs').selectAll().execute();
    expect(raw).toHaveLength(1);
    expect(raw[0]!.token).not.toContain('secret-user-token');
    expect(raw[0]!.webhookToken).not.toContain('hook-secret');
    expect((await configs.findForClient('evolution')).map((c) => c.instanceId)).toContain(instanceId);
  });

  it('links each WhatsApp id and each Chatwoot message part once (the database refuses the second claim)', async () => {
    const link = { waKeyId: '3EB0AAA', remoteJid: '5511@s.whatsapp.net', chatwootMessageId: '41', part: 0, conversationId: '7' };
    expect(await map.claim(instanceId, link)).toBe(true);
    expect(await map.claim(instanceId, link)).toBe(false);
    expect(await map.claim(instanceId, { ...link, chatwootMessageId: '42' })).toBe(false); // same WhatsApp id
    expect(await map.claim(instanceId, { ...link, waKeyId: '3EB0BBB' })).toBe(false); // same Chatwoot part
    expect(await map.claim(instanceId, { ...link, waKeyId: '3EB0BBB', part: 1 })).toBe(true);
    expect((await map.byChatwoot(instanceId, '41')).map((l) => l.part)).toEqual([0, 1]);
    expect(await map.byWhatsApp(instanceId, '3EB0AAA')).toMatchObject({ chatwootMessageId: '41' });
    await map.release(instanceId, '3EB0BBB');
    expect(await map.claim(instanceId, { ...link, waKeyId: '3EB0CCC', part: 1 })).toBe(true);
  });

  it('queues an item once, keeps order, holds a chat behind its failed head, deletes what was delivered', async () => {
    const item = (n: number, chat = '5511@s.whatsapp.net') => ({ instanceId, dedupeKey: `msg:${n}`, kind: 'message' as const, remoteJid: chat, payload: { n } });
    await outbox.append([item(1), item(2)]);
    await db.kysely.transaction().execute((tx) => outbox.append([item(2), item(3), item(4, '5522@s.whatsapp.net')], tx));
    const rows = await outbox.due([instanceId], Date.now(), 10);
    expect(rows.map((r) => r.payload)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }]);
    expect(await outbox.head(instanceId, '5511@s.whatsapp.net')).toMatchObject({ seq: rows[0]!.seq });
    await outbox.attempting(rows[0]!.seq, 1);
    const later = Date.now() + 60_000;
    await outbox.failed(rows[0]!, later, 'x'.repeat(5000));
    // The whole chat waits with its head; the other chat is still due.
    expect((await outbox.due([instanceId], Date.now(), 10)).map((r) => r.payload)).toEqual([{ n: 4 }]);
    const all = await outbox.due([instanceId], later, 10);
    expect(all[0]).toMatchObject({ attempts: 1, nextAttemptAt: later });
    expect(all.map((r) => r.nextAttemptAt)).toEqual([later, later, later, expect.any(Number)]);
    await outbox.done(all[3]!.seq);
    expect(await outbox.count(instanceId)).toBe(3);
    await outbox.dropInstance(instanceId);
    expect(await outbox.count(instanceId)).toBe(0);
  });
}
