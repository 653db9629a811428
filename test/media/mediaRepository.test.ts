import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instanceRow } from '../helpers/rows.js';
import { availableProviders, createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { openDatabase, type Db, type Provider } from '../../src/storage/db.js';
import { migrateToLatest } from '../../src/storage/migrate.js';
import { Repositories } from '../../src/storage/repositories.js';

const { run, skipped } = await availableProviders();

describe.each(run)('media rows on %s', (provider) => suite(provider));
for (const provider of skipped) describe.skip(`media rows on ${provider} (database not reachable)`, () => suite(provider));

function suite(provider: Provider): void {
  let tdb: TestDatabase;
  let db: Db;
  let repos: Repositories;
  const a = instanceRow(901, 'media-a');
  const b = instanceRow(902, 'media-b');
  const media = (instanceId: string, messageId: string, type = 'imageMessage') => ({ instanceId, messageId, type, fileName: `${messageId}.jpg`, mimetype: 'image/jpeg', size: 3_000_000_000, storageKey: `${instanceId}/abc.jpg` });

  beforeAll(async () => {
    tdb = await createTestDatabase(provider);
    db = await openDatabase(provider, tdb.uri);
    repos = new Repositories(db, 'media-test-key');
    await migrateToLatest(db);
    await repos.instances.insert(a);
    await repos.instances.insert(b);
  });
  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });

  it('keeps one row per message of an instance; a second insert returns the first', async () => {
    const first = await repos.media.insert(media(a.id, 'MSG1'));
    expect(first).toMatchObject({ id: expect.stringMatching(/^\d+$/), instanceId: a.id, messageId: 'MSG1', size: 3_000_000_000, createdAt: expect.any(String) });
    const again = await repos.media.insert({ ...media(a.id, 'MSG1'), fileName: 'other.jpg' });
    expect(again).toEqual(first);
    // The same message id on another instance is another row.
    const other = await repos.media.insert(media(b.id, 'MSG1'));
    expect(other.id).not.toBe(first.id);
    expect(await repos.media.findByMessage(a.id, 'MSG1')).toEqual(first);
    expect(await repos.media.findById(b.id, first.id)).toBeUndefined();
    expect(await repos.media.findById(a.id, first.id)).toEqual(first);
  });

  it('finds by id, type and message id within one instance, newest first', async () => {
    await repos.media.insert(media(a.id, 'MSG2', 'videoMessage'));
    await repos.media.insert(media(a.id, 'MSG3', 'videoMessage'));
    const videos = await repos.media.find(a.id, { type: 'videoMessage' });
    expect(videos.map((m) => m.messageId)).toEqual(['MSG3', 'MSG2']);
    expect((await repos.media.find(a.id, { messageId: 'MSG2' })).map((m) => m.type)).toEqual(['videoMessage']);
    expect(await repos.media.find(b.id, { type: 'videoMessage' })).toEqual([]);
    expect((await repos.media.find(a.id, {})).length).toBe(3);
  });

  it('goes with its instance', async () => {
    await repos.instances.delete(b.id);
    expect(await repos.media.find(b.id, {})).toEqual([]);
  });
}
