import { randomUUID } from 'node:crypto';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { availableProviders, createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { openDatabase, type Db, type Provider } from '../../src/storage/db.js';
import { migrateToLatest } from '../../src/storage/migrate.js';
import { Repositories } from '../../src/storage/repositories.js';
import { SecretBox, sha256Hex } from '../../src/security/secrets.js';
import { deserialize, serialize } from '../../src/storage/serialize.js';
import { instanceKeyStore, type ChannelKeyStore } from '../../src/channels/keyStore.js';

const ENCRYPTION_KEY = 'key-store-test-encryption-key';

describe('serialize', () => {
  it('round-trips Buffers and Uint8Arrays (as Buffers), at any depth, and reads plain JSON as before', () => {
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    const sliced = Buffer.from([9, 9, 1, 2, 3, 9]).subarray(2, 5);
    const value = { a: Buffer.from('héllo'), b: bytes, nested: { list: [sliced, 1, 'x', null], deep: { k: Buffer.alloc(0) } }, n: 1.5 };
    const text = serialize(value);
    expect(text).toContain('"$bin"');
    const back = deserialize<typeof value>(text);
    expect(Buffer.isBuffer(back.a) && Buffer.isBuffer(back.b) && Buffer.isBuffer(back.nested.list[0])).toBe(true);
    expect(back).toEqual({ ...value, b: Buffer.from(bytes), nested: { list: [Buffer.from([1, 2, 3]), 1, 'x', null], deep: { k: Buffer.alloc(0) } } });
    expect(deserialize(serialize(Buffer.from([7])))).toEqual(Buffer.from([7]));
    // rows written before: plain JSON, Buffers as {type:'Buffer',data:[...]}
    expect(deserialize(JSON.stringify({ me: { id: 'x' }, key: Buffer.from([1, 2]) }))).toEqual({ me: { id: 'x' }, key: Buffer.from([1, 2]) });
    expect(deserialize('{"$bin":1,"other":"x"}')).toEqual({ $bin: 1, other: 'x' });
  });
});

const { run, skipped } = await availableProviders();

describe.each(run)('channel key store on %s', (provider) => suite(provider));
for (const provider of skipped) describe.skip(`channel key store on ${provider} (database not reachable)`, () => suite(provider));

function suite(provider: Provider): void {
  let tdb: TestDatabase;
  let db: Db;
  let repos: Repositories;
  let seq = 0;

  async function newInstance(): Promise<string> {
    seq += 1;
    const id = randomUUID();
    const token = randomUUID();
    const stamp = new Date().toISOString();
    await repos.instances.insert({ id, name: `keys-${seq}-${id.slice(0, 8)}`, connectionStatus: 'close', ownerJid: null, profileName: null, profilePicUrl: null, integration: 'SANDBOX', number: null, businessId: null, token, tokenHash: sha256Hex(token), clientName: 'evolution', disconnectionReasonCode: null, disconnectionObject: null, disconnectionAt: null, createdAt: stamp, updatedAt: stamp });
    return id;
  }

  async function newStore(): Promise<{ id: string; store: ChannelKeyStore }> {
    const id = await newInstance();
    return { id, store: instanceKeyStore(repos, id) };
  }

  const rowCount = async (instanceId: string) => (await db.kysely.selectFrom('channelKeys').select('keyId').where('instanceId', '=', instanceId).execute()).length;

  beforeAll(async () => {
    tdb = await createTestDatabase(provider);
    db = await openDatabase(provider, tdb.uri);
    repos = new Repositories(db, ENCRYPTION_KEY);
    await migrateToLatest(db);
  });

  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });

  it('round-trips Buffers, Uint8Arrays and nested objects; missing ids are absent', async () => {
    const { store } = await newStore();
    const session = { _sessions: { [Buffer.from([5, 1]).toString('base64')]: { registrationId: 42, currentRatchet: { ephemeralKeyPair: { pubKey: Buffer.from([1, 2, 3]), privKey: new Uint8Array([4, 5, 6]) } } } } };
    const preKey = { public: new Uint8Array(32).fill(7), private: Buffer.alloc(32, 9) };
    await store.set({ session: { '5511999990000.0': session, '120363@lid:3': { n: 'Zoë 😀' } }, 'pre-key': { '1': preKey } });

    const sessions = await store.get('session', ['5511999990000.0', '120363@lid:3', 'missing']);
    expect(Object.keys(sessions).sort()).toEqual(['120363@lid:3', '5511999990000.0']);
    expect(sessions['5511999990000.0']).toEqual({ _sessions: { 'BQE=': { registrationId: 42, currentRatchet: { ephemeralKeyPair: { pubKey: Buffer.from([1, 2, 3]), privKey: Buffer.from([4, 5, 6]) } } } } });
    const { '1': key } = await store.get<{ public: Buffer; private: Buffer }>('pre-key', ['1']);
    expect(Buffer.isBuffer(key!.public)).toBe(true);
    expect(key).toEqual({ public: Buffer.alloc(32, 7), private: Buffer.alloc(32, 9) });
    // the type is part of the key
    expect(await store.get('sender-key', ['1'])).toEqual({});
    expect(await store.get('session', [])).toEqual({});
  });

  it('writes a batch of 2,000 keys and reads them back in one get', async () => {
    const { id, store } = await newStore();
    const ids = Array.from({ length: 2000 }, (_, i) => String(i + 1));
    await store.set({ 'pre-key': Object.fromEntries(ids.map((k) => [k, { keyId: Number(k), public: Buffer.alloc(33, Number(k) % 256) }])) });
    expect(await rowCount(id)).toBe(2000);
    const back = await store.get<{ keyId: number; public: Buffer }>('pre-key', ids);
    expect(Object.keys(back)).toHaveLength(2000);
    expect(back['1999']).toEqual({ keyId: 1999, public: Buffer.alloc(33, 1999 % 256) });
    // and overwrites them all (upsert) in one set
    await store.set({ 'pre-key': Object.fromEntries(ids.map((k) => [k, { v: 2 }])) });
    expect(Object.values(await store.get('pre-key', ids)).every((v) => (v as { v: number }).v === 2)).toBe(true);
    expect(await rowCount(id)).toBe(2000);
  });

  it('deletes with null, and the last write for the same key wins within one write', async () => {
    const { id, store } = await newStore();
    await store.set({ 'pre-key': { a: 1, b: 2, c: 3 }, session: { s: 's' } });
    await store.set({ 'pre-key': { a: null, b: 20 }, session: { s: null, missing: null } });
    expect(await store.get('pre-key', ['a', 'b', 'c'])).toEqual({ b: 20, c: 3 });
    expect(await store.get('session', ['s'])).toEqual({});
    await repos.channelKeys.write(id, [
      { type: 'tctoken', id: 't', value: 'first' },
      { type: 'tctoken', id: 't', value: null },
      { type: 'tctoken', id: 't', value: 'last' },
      { type: 'tctoken', id: 'gone', value: 'x' },
      { type: 'tctoken', id: 'gone', value: null },
    ]);
    expect(await store.get('tctoken', ['t', 'gone'])).toEqual({ t: 'last' });
  });

  it('keeps values sealed at rest', async () => {
    const { id, store } = await newStore();
    await store.set({ 'app-state-sync-key': { AAAA: { keyData: Buffer.from('PLAINTEXT-KEY-DATA'), fingerprint: { rawId: 'SECRET-FINGERPRINT' } } } });
    const [row] = await db.kysely.selectFrom('channelKeys').selectAll().where('instanceId', '=', id).execute();
    expect(row).toMatchObject({ type: 'app-state-sync-key', keyId: 'AAAA' });
    expect(row!.value.startsWith('v1.')).toBe(true);
    for (const plain of ['SECRET-FINGERPRINT', 'keyData', Buffer.from('PLAINTEXT-KEY-DATA').toString('base64')]) expect(row!.value).not.toContain(plain);
    // another key cannot open it
    const other = instanceKeyStore(new Repositories(db, 'another-key'), id);
    await expect(other.get('app-state-sync-key', ['AAAA'])).rejects.toThrow();
  });

  it('buffers writes in a transaction: visible inside, nothing outside until it ends, one commit', async () => {
    const { id, store } = await newStore();
    await store.set({ session: { old: 'o', gone: 'g' } });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let inside: Record<string, unknown> = {};
    const tx = store.transaction(async () => {
      await store.set({ session: { new: 'n', gone: null } });
      await store.saveCredentials({ me: 'in-tx' });
      inside = await store.get('session', ['old', 'new', 'gone']);
      expect(await store.loadCredentials()).toEqual({ me: 'in-tx' });
      await gate;
      return 'result';
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    // nothing visible from outside yet, and a concurrent unrelated write is not captured by the transaction
    expect(await store.get('session', ['old', 'new', 'gone'])).toEqual({ old: 'o', gone: 'g' });
    expect(await store.loadCredentials()).toBeUndefined();
    await store.set({ 'sender-key': { outside: 'x' } });
    expect(await repos.channelKeys.get(id, 'sender-key', ['outside'])).toEqual({ outside: 'x' });
    release();
    expect(await tx).toBe('result');
    expect(inside).toEqual({ old: 'o', new: 'n' });
    expect(await store.get('session', ['old', 'new', 'gone'])).toEqual({ old: 'o', new: 'n' });
    expect(await store.loadCredentials()).toEqual({ me: 'in-tx' });
  });

  it('writes nothing when the transaction throws; nested transactions join the outer one', async () => {
    const { id, store } = await newStore();
    await expect(
      store.transaction(async () => {
        await store.set({ session: { a: 1 } });
        await store.saveCredentials({ x: 1 });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await store.get('session', ['a'])).toEqual({});
    expect(await store.loadCredentials()).toBeUndefined();

    await expect(
      store.transaction(async () => {
        await store.set({ session: { outer: 1 } });
        await store.transaction(async () => store.set({ session: { inner: 2 } }));
        // the inner one has ended, but nothing is committed before the outer one
        expect(await repos.channelKeys.get(id, 'session', ['outer', 'inner'])).toEqual({});
        throw new Error('outer fails');
      }),
    ).rejects.toThrow('outer fails');
    expect(await store.get('session', ['outer', 'inner'])).toEqual({});

    await store.transaction(async () => {
      await store.set({ session: { outer: 1 } });
      await store.transaction(async () => store.set({ session: { inner: 2, outer: 3 } }));
      expect(await store.get('session', ['outer', 'inner'])).toEqual({ outer: 3, inner: 2 });
    });
    expect(await store.get('session', ['outer', 'inner'])).toEqual({ outer: 3, inner: 2 });
  });

  it('commits credentials and keys in one database transaction: a failing key write leaves the credentials unsaved', async () => {
    const { store } = await newStore();
    await expect(
      store.transaction(async () => {
        await store.saveCredentials({ me: 'never' });
        await store.set({ session: { ok: 1, bad: { n: 1n } } }); // BigInt does not serialize: fails after the credentials were written
      }),
    ).rejects.toThrow(/BigInt/);
    expect(await store.loadCredentials()).toBeUndefined();
    expect(await store.get('session', ['ok'])).toEqual({});
  });

  it('clears credentials and keys, also inside a transaction', async () => {
    const { id, store } = await newStore();
    await store.saveCredentials({ me: 1 });
    await store.set({ session: { a: 1, b: 2 }, 'pre-key': { '1': 1 } });
    await store.clear();
    expect(await store.loadCredentials()).toBeUndefined();
    expect(await rowCount(id)).toBe(0);

    await store.set({ session: { a: 1, b: 2 } });
    await store.saveCredentials({ me: 1 });
    await store.transaction(async () => {
      await store.clear();
      expect(await store.get('session', ['a', 'b'])).toEqual({});
      expect(await store.loadCredentials()).toBeUndefined();
      await store.set({ session: { b: 'after' } });
      expect(await store.get('session', ['a', 'b'])).toEqual({ b: 'after' });
    });
    expect(await store.get('session', ['a', 'b'])).toEqual({ b: 'after' });
    expect(await store.loadCredentials()).toBeUndefined();
  });

  it('keeps instances apart, and the instance row deletion cascades to its keys', async () => {
    const a = await newStore();
    const b = await newStore();
    await a.store.set({ session: { same: 'a' } });
    await b.store.set({ session: { same: 'b' } });
    await a.store.saveCredentials({ who: 'a' });
    expect(await a.store.get('session', ['same'])).toEqual({ same: 'a' });
    expect(await b.store.get('session', ['same'])).toEqual({ same: 'b' });
    expect(await b.store.loadCredentials()).toBeUndefined();
    await b.store.clear();
    expect(await a.store.get('session', ['same'])).toEqual({ same: 'a' });

    await repos.instances.delete(a.id);
    expect(await rowCount(a.id)).toBe(0);
    expect(await db.kysely.selectFrom('channelAuth').select('instanceId').where('instanceId', '=', a.id).execute()).toEqual([]);
  });

  it('round-trips credentials with Buffers through AuthStateRepository, and reads rows written before as plain JSON', async () => {
    const id = await newInstance();
    const creds = { noiseKey: { private: Buffer.alloc(32, 1), public: new Uint8Array(32).fill(2) }, signedIdentityKey: { public: Buffer.from([3]) }, registrationId: 123, me: { id: '5511@s.whatsapp.net', name: 'Éva' }, processedHistoryMessages: [] };
    await repos.authState.save(id, creds);
    const back = await repos.authState.load<typeof creds>(id);
    expect(Buffer.isBuffer(back!.noiseKey.private) && Buffer.isBuffer(back!.noiseKey.public)).toBe(true);
    expect(back).toEqual({ ...creds, noiseKey: { private: Buffer.alloc(32, 1), public: Buffer.alloc(32, 2) } });

    const legacy = { creds: { me: { id: 'x' } }, keys: { 'pre-key': { 1: 'abc' } } };
    const box = new SecretBox(ENCRYPTION_KEY);
    await db.kysely.updateTable('channelAuth').set({ data: box.seal(JSON.stringify(legacy)) }).where('instanceId', '=', id).execute();
    expect(await repos.authState.load(id)).toEqual(legacy);
  });
}
