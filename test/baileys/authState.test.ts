import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import makeWASocket, { initAuthCreds, proto } from 'baileys';
import pino from 'pino';
import { WebSocketServer } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { databaseAuthState } from '../../src/channels/baileys/authState.js';
import { instanceKeyStore } from '../../src/channels/keyStore.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { openDatabase, type Db } from '../../src/storage/db.js';
import { migrateToLatest } from '../../src/storage/migrate.js';
import { Repositories } from '../../src/storage/repositories.js';
import { startTestServer } from '../helpers/server.js';
import { sha256Hex } from '../../src/security/secrets.js';
import { startBench } from './harness.js';

const KEY = 'baileys-auth-state-test-key';

describe('Baileys auth state in the database', () => {
  let dir: string;
  let db: Db | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  const open = async () => {
    db = await openDatabase('sqlite', join(dir, 'auth.db'));
    await migrateToLatest(db);
    const repos = new Repositories(db, KEY);
    const now = new Date().toISOString();
    if (!(await repos.instances.findByName('auth'))) {
      await repos.instances.insert({ id: 'i1', name: 'auth', connectionStatus: 'close', ownerJid: null, profileName: null, profilePicUrl: null, integration: 'WHATSAPP-BAILEYS', number: null, businessId: null, token: 'token-1', tokenHash: sha256Hex('token-1'), clientName: 'evolution', disconnectionReasonCode: null, disconnectionObject: null, disconnectionAt: null, createdAt: now, updatedAt: now });
    }
    return instanceKeyStore(repos, 'i1');
  };

  it('credentials and keys the library writes come back intact after a restart (Buffers, protobuf app-state keys)', async () => {
    dir = mkdtempSync(join(tmpdir(), 'baileys-auth-'));
    const store = await open();
    const creds = initAuthCreds();
    creds.me = { id: '15550001111:1@s.whatsapp.net', lid: '99990001111:1@lid', name: 'Me' };
    const { state, saveCreds } = await databaseAuthState(store, creds);
    await saveCreds();
    const session = Buffer.from('a signal session record');
    const appKey = proto.Message.AppStateSyncKeyData.fromObject({ keyData: Buffer.from('app state key'), timestamp: 1700000000 });
    await state.keys.set({ session: { '15550002222.0': session }, 'pre-key': { '1': creds.signedPreKey.keyPair }, 'app-state-sync-key': { AAAA: appKey }, 'lid-mapping': { '15550002222': '99990002222' } });
    await db!.close();

    const again = await databaseAuthState(await open());
    expect(again.state.creds).toEqual(creds);
    expect(Buffer.isBuffer(again.state.creds.noiseKey.private)).toBe(true);
    expect((await again.state.keys.get('session', ['15550002222.0']))['15550002222.0']).toEqual(session);
    expect((await again.state.keys.get('pre-key', ['1', '2']))).toEqual({ '1': creds.signedPreKey.keyPair });
    const app = (await again.state.keys.get('app-state-sync-key', ['AAAA'])).AAAA!;
    expect(app).toBeInstanceOf(proto.Message.AppStateSyncKeyData);
    expect(Buffer.from(app.keyData!).toString()).toBe('app state key');
    expect(await again.state.keys.get('lid-mapping', ['15550002222'])).toEqual({ '15550002222': '99990002222' });
    // sealed at rest: nothing stored is readable
    const rows = await db!.kysely.selectFrom('channelKeys').select('value').execute();
    for (const r of rows) expect(r.value).not.toContain('signal session');
  });

  it('a real makeWASocket on the database auth state reaches BAILEYS_WEBSOCKET_URL and opens with the WhatsApp noise prologue', async () => {
    dir = mkdtempSync(join(tmpdir(), 'baileys-ws-'));
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((r) => wss.once('listening', r));
    const first = new Promise<{ path: string; bytes: Buffer }>((resolve) =>
      wss.once('connection', (ws, req) => ws.once('message', (data: Buffer) => resolve({ path: req.url ?? '', bytes: Buffer.from(data as Buffer) }))),
    );
    const port = (wss.address() as { port: number }).port;
    const { state } = await databaseAuthState(await open());
    const sock = makeWASocket({ waWebSocketUrl: `ws://127.0.0.1:${port}/ws/chat`, auth: state, logger: pino({ level: 'silent' }) });
    try {
      const { path, bytes } = await first;
      expect(path).toBe('/ws/chat');
      // "WA", protocol 6, dictionary 3, then the first length-prefixed frame (the ClientHello)
      expect([...bytes.subarray(0, 4)]).toEqual([0x57, 0x41, 6, 3]);
      expect(bytes.length).toBeGreaterThan(4 + 3 + 32);
    } finally {
      sock.end(undefined);
      for (const c of wss.clients) c.terminate();
      await new Promise((r) => wss.close(r));
    }
  });
});

describe('ENCRYPTION_KEY', { timeout: 120_000 }, () => {
  it('start-up refuses a malformed key', () => {
    expect(() => loadConfig({ AUTHENTICATION_API_KEY: 'k'.repeat(20), ENCRYPTION_KEY: 'short' })).toThrow(ConfigError);
    expect(() => loadConfig({ AUTHENTICATION_API_KEY: 'k'.repeat(20), ENCRYPTION_KEY: 'has a space in the key' })).toThrow(/ENCRYPTION_KEY must be/);
  });

  it('says clearly when stored sessions cannot be read with the current key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-baileys-key-'));
    try {
      const b = await startBench({ ENCRYPTION_KEY: 'the-first-encryption-key' }, undefined);
      const shared = { sim: b.sim, hook: b.hook, dir };
      await b.server.stop();
      const linked = await startBench({ ENCRYPTION_KEY: 'the-first-encryption-key' }, shared);
      await linked.link('sealed', '15550001111');
      await linked.server.stop({ keepData: true });
      await expect(startTestServer({ ...linked.env, ENCRYPTION_KEY: 'another-encryption-key' }, dir)).rejects.toThrow(/cannot be read with the current ENCRYPTION_KEY/);
      await b.hook.stop();
      await b.sim.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
