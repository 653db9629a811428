import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instanceRow } from '../helpers/rows.js';
import { availableProviders, createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { openDatabase, type Db, type Provider } from '../../src/storage/db.js';
import { migrateToLatest } from '../../src/storage/migrate.js';
import { Repositories } from '../../src/storage/repositories.js';

const { run, skipped } = await availableProviders();

describe.each(run)('proxy and template storage on %s', (provider) => suite(provider));
for (const provider of skipped) describe.skip(`proxy and template storage on ${provider} (database not reachable)`, () => suite(provider));

function suite(provider: Provider): void {
  let tdb: TestDatabase;
  let db: Db;
  let repos: Repositories;
  let seq = 0;

  const newInstance = async () => {
    const inst = instanceRow(++seq, 'inst');
    await repos.instances.insert(inst);
    return inst;
  };

  beforeAll(async () => {
    tdb = await createTestDatabase(provider);
    db = await openDatabase(provider, tdb.uri);
    repos = new Repositories(db, 'proxy-storage-test-key');
    await migrateToLatest(db);
  });
  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });

  it('keeps one proxy per instance, replaced on every set, with the password sealed at rest', async () => {
    const inst = await newInstance();
    expect(await repos.proxies.find(inst.id)).toBeUndefined();
    const first = await repos.proxies.upsert(inst.id, { enabled: true, host: 'proxy.example', port: '3128', protocol: 'http', username: 'bob', password: 's3cret-pässword' });
    expect(first).toMatchObject({ instanceId: inst.id, enabled: true, host: 'proxy.example', port: '3128', protocol: 'http', username: 'bob', password: 's3cret-pässword' });
    const stored = await db.kysely.selectFrom('proxies').selectAll().where('instanceId', '=', inst.id).executeTakeFirstOrThrow();
    expect(stored.password).toMatch(/^v1\./);
    expect(stored.password).not.toContain('s3cret');

    const second = await repos.proxies.upsert(inst.id, { enabled: false, host: '', port: '', protocol: '', username: '', password: '' });
    expect(second).toMatchObject({ id: first.id, enabled: false, host: '', password: '' });
    const count = await db.kysely.selectFrom('proxies').select((eb) => eb.fn.countAll<number>().as('n')).where('instanceId', '=', inst.id).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1);
  });

  it('concurrent sets of one instance leave one row, never a duplicate-key error', async () => {
    const inst = await newInstance();
    await Promise.all(['1', '2', '3', '4'].map((port) => repos.proxies.upsert(inst.id, { enabled: true, host: 'h', port, protocol: 'socks5', username: '', password: '' })));
    const rows = await db.kysely.selectFrom('proxies').selectAll().where('instanceId', '=', inst.id).execute();
    expect(rows).toHaveLength(1);
  });

  it('stores templates per instance, one per (name, language): a stale row of the same pair is replaced', async () => {
    const a = await newInstance();
    const b = await newInstance();
    const t = { templateId: '1000000000000001', name: 'order_update', language: 'en_US', template: { id: '1000000000000001', status: 'PENDING', category: 'UTILITY' }, webhookUrl: null };
    const row = await repos.templates.save(a.id, t);
    expect(row).toMatchObject({ templateId: t.templateId, name: 'order_update', template: t.template, webhookUrl: null, instanceId: a.id });
    expect(Object.keys(row).sort()).toEqual(['createdAt', 'id', 'instanceId', 'name', 'template', 'templateId', 'updatedAt', 'webhookUrl']);
    const again = await repos.templates.save(a.id, { ...t, templateId: '1000000000000002', template: { id: '1000000000000002' }, webhookUrl: 'http://hook' });
    expect(again).toMatchObject({ id: row.id, templateId: '1000000000000002', template: { id: '1000000000000002' }, webhookUrl: 'http://hook' });
    // Another language of the same name is another template; another instance has its own namespace.
    await repos.templates.save(a.id, { ...t, templateId: '1000000000000003', language: 'pt_BR' });
    await repos.templates.save(b.id, t);
    expect((await repos.templates.list(a.id)).map((r) => r.templateId)).toEqual(['1000000000000002', '1000000000000003']);
    expect((await repos.templates.findByTemplateId(b.id, t.templateId))?.instanceId).toBe(b.id);
    // The database refuses a second row with the same platform id.
    await expect(db.kysely.insertInto('templates').values({ id: 'dup', instanceId: a.id, templateId: '1000000000000003', name: 'other', language: 'en', template: '{}', webhookUrl: null, createdAt: 'x', updatedAt: 'x' }).execute()).rejects.toThrow();

    expect(await repos.templates.deleteByName(a.id, 'order_update', '1000000000000003')).toBe(1);
    expect(await repos.templates.deleteByName(a.id, 'order_update')).toBe(1);
    expect(await repos.templates.list(a.id)).toEqual([]);
    expect(await repos.templates.list(b.id)).toHaveLength(1);
  });

  it('deleting the instance removes its proxy and templates', async () => {
    const inst = await newInstance();
    await repos.proxies.upsert(inst.id, { enabled: true, host: 'h', port: '1', protocol: 'http', username: '', password: '' });
    await repos.templates.save(inst.id, { templateId: '2000000000000001', name: 'x', language: 'en', template: {}, webhookUrl: 'http://hook' });
    await repos.instances.delete(inst.id);
    expect(await repos.proxies.find(inst.id)).toBeUndefined();
    expect(await repos.templates.list(inst.id)).toEqual([]);
  });
}
