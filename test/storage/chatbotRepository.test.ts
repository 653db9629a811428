import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instanceRow } from '../helpers/rows.js';
import { availableProviders, createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { openDatabase, type Db, type Provider } from '../../src/storage/db.js';
import { migrateToLatest } from '../../src/storage/migrate.js';
import { Repositories } from '../../src/storage/repositories.js';
import { DEFAULT_BEHAVIOUR } from '../../src/chatbots/types.js';

/** Migration 014 and the chatbot repositories on every database: bots, settings, one session per chat, sealed secrets. */
const { run, skipped } = await availableProviders();
describe.each(run)('chatbot storage on %s', (provider) => suite(provider));
for (const provider of skipped) describe.skip(`chatbot storage on ${provider} (database not reachable)`, () => suite(provider));

function suite(provider: Provider): void {
  let tdb: TestDatabase;
  let db: Db;
  let repos: Repositories;
  const inst = instanceRow(1, 'bots');
  const other = instanceRow(2, 'bots-other');

  beforeAll(async () => {
    tdb = await createTestDatabase(provider);
    db = await openDatabase(provider, tdb.uri);
    await migrateToLatest(db);
    repos = new Repositories(db, 'chatbot-storage-key');
    await repos.instances.insert(inst);
    await repos.instances.insert(other);
  });
  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });

  const bot = { enabled: true, description: 'd', triggerType: 'keyword' as const, triggerOperator: 'equals' as const, triggerValue: 'hi', behaviour: { expire: 5, ignoreJids: ['a@s.whatsapp.net'] }, config: { apiUrl: 'https://x' }, secrets: { apiKey: 'sk-secret-value' } };

  it('stores bots per instance and kind, with their secrets sealed', async () => {
    const created = await repos.chatbots.createBot(inst.id, 'evolutionBot', bot);
    expect(created).toMatchObject({ kind: 'evolutionBot', enabled: true, triggerValue: 'hi', behaviour: { expire: 5, ignoreJids: ['a@s.whatsapp.net'] }, config: { apiUrl: 'https://x' }, secrets: { apiKey: 'sk-secret-value' } });
    const raw = await db.kysely.selectFrom('chatbots').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();
    expect(raw.secrets).not.toContain('sk-secret');
    expect(await repos.chatbots.bot(other.id, created.id)).toBeUndefined();
    expect((await repos.chatbots.bots(inst.id, 'typebot')).length).toBe(0);
    const updated = await repos.chatbots.updateBot(inst.id, created.id, { ...bot, enabled: false, secrets: {} });
    expect(updated).toMatchObject({ enabled: false, secrets: {} });
  });

  it('keeps one settings row per instance and kind (upsert)', async () => {
    await repos.chatbots.saveSettings(inst.id, 'typebot', { ...DEFAULT_BEHAVIOUR, fallbackId: null, extra: {} });
    const again = await repos.chatbots.saveSettings(inst.id, 'typebot', { ...DEFAULT_BEHAVIOUR, expire: 9, fallbackId: 'x', extra: { speechToText: true } });
    expect(again).toMatchObject({ expire: 9, fallbackId: 'x', extra: { speechToText: true } });
    expect(await db.kysely.selectFrom('chatbotSettings').selectAll().where('instanceId', '=', inst.id).where('kind', '=', 'typebot').execute()).toHaveLength(1);
  });

  it('one session per chat: a second open returns the first; pending input and due time round-trip; bot deletion removes its sessions', async () => {
    const b = await repos.chatbots.createBot(inst.id, 'evolutionBot', { ...bot, triggerValue: 'other' });
    const jid = '5511999990000@s.whatsapp.net';
    const s1 = await repos.chatbots.openSession({ instanceId: inst.id, botId: b.id, kind: 'evolutionBot', remoteJid: jid, pushName: 'Ana', status: 'opened' });
    const s2 = await repos.chatbots.openSession({ instanceId: inst.id, botId: b.id, kind: 'evolutionBot', remoteJid: jid, pushName: 'Ana', status: 'opened' });
    expect(s2.id).toBe(s1.id);
    const due = Date.now() + 5000;
    await repos.chatbots.updateSession(s1.id, { pending: [{ keyId: 'k', text: 'hi', fromMe: false, pushName: 'Ana', messageType: 'conversation', at: 1 }], dueAt: due, context: { a: 1 } });
    const read = await repos.chatbots.sessionById(s1.id);
    expect(read).toMatchObject({ pending: [{ text: 'hi' }], dueAt: due, context: { a: 1 }, status: 'opened' });
    expect((await repos.chatbots.dueSessions([inst.id])).map((s) => s.id)).toEqual([s1.id]);
    await repos.chatbots.deleteBot(inst.id, b.id);
    expect(await repos.chatbots.sessionById(s1.id)).toBeUndefined();
  });

  it('OpenAI credentials: sealed, unique per instance by name and by key', async () => {
    const c = await repos.openaiCreds.create(inst.id, 'main', 'sk-openai-1');
    expect(c).toMatchObject({ name: 'main', apiKey: 'sk-openai-1' });
    expect(await repos.openaiCreds.create(inst.id, 'main', 'sk-openai-2')).toBeUndefined();
    expect(await repos.openaiCreds.create(inst.id, 'second', 'sk-openai-1')).toBeUndefined();
    expect(await repos.openaiCreds.create(other.id, 'main', 'sk-openai-1')).toBeDefined();
    const raw = await db.kysely.selectFrom('openaiCreds').selectAll().where('id', '=', c!.id).executeTakeFirstOrThrow();
    expect(raw.apiKey).not.toContain('sk-openai');
    expect(await repos.openaiCreds.delete(other.id, c!.id)).toBe(false);
    expect(await repos.openaiCreds.delete(inst.id, c!.id)).toBe(true);
  });
}
