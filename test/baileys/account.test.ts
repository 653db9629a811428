import { afterEach, describe, expect, it } from 'vitest';
import { startBench, type BaileysBench } from './harness.js';

const PHONE = '15550001111';

describe('WHATSAPP-BAILEYS privacy, blocks and profiles, through the library on the simulator', { timeout: 120_000 }, () => {
  let b: BaileysBench | undefined;
  afterEach(async () => {
    await b?.stop();
    b = undefined;
  });

  it('privacy settings round trip, a block and an unblock, a profile lookup', async () => {
    b = await startBench();
    const { token } = await b.link('acct', PHONE);
    const call = (method: string, path: string, body?: unknown) => b!.server.call(method, path, body, token);
    const settings = { readreceipts: 'none', profile: 'contacts', status: 'contacts', online: 'match_last_seen', last: 'contacts', groupadd: 'contacts' };
    const updated = await call('POST', '/chat/updatePrivacySettings/acct', settings);
    expect(updated.status, JSON.stringify(updated.body)).toBe(201);
    const fetched = await call('GET', '/chat/fetchPrivacySettings/acct');
    expect(fetched.status).toBe(200);
    expect(fetched.body).toMatchObject(settings);

    const alice = b.messaging.contact('15550002222', 'Alice');
    const blocked = await call('POST', '/chat/updateBlockStatus/acct', { number: alice.phone, status: 'block' });
    expect(blocked.status, JSON.stringify(blocked.body)).toBe(201);
    expect(b.sim.router.seen.some((r) => r.xmlns === 'blocklist' && r.type === 'set')).toBe(true);
    expect((await call('POST', '/chat/updateBlockStatus/acct', { number: alice.phone, status: 'unblock' })).status).toBe(201);

    const profile = await call('POST', '/chat/fetchProfile/acct', { number: alice.phone });
    expect(profile.status, JSON.stringify(profile.body)).toBe(200);
    expect(profile.body).toMatchObject({ wuid: alice.jid });
    const picture = await call('POST', '/chat/fetchProfilePictureUrl/acct', { number: alice.phone });
    expect(picture.status).toBe(200);
    // a personal account has no business profile
    const business = await call('POST', '/chat/fetchBusinessProfile/acct', { number: alice.phone });
    expect(business.status, JSON.stringify(business.body)).toBe(200);
    expect(business.body).toMatchObject({ isBusiness: false });
    const catalog = await call('POST', '/business/getCatalog/acct', { number: alice.phone });
    expect(catalog).toMatchObject({ status: 200, body: { wuid: alice.jid, isBusiness: false, catalog: [] } });
    expect(b.sim.errors).toEqual([]);
  });

  it('app-state writes (archive, push name, labels) before the phone shared its keys: a clear 400, never a 500', async () => {
    b = await startBench();
    const { token } = await b.link('appstate', PHONE);
    const call = (method: string, path: string, body?: unknown) => b!.server.call(method, path, body, token);
    const alice = b.messaging.contact('15550002222', 'Alice');
    const id = await alice.sendText(`${PHONE}@s.whatsapp.net`, 'hi');
    await b.waitEvent('appstate', 'messages.upsert', (d) => d.key.id === id);
    // the simulator's phone never shares app-state keys
    for (const [path, body] of [['/chat/archiveChat/appstate', { archive: true, chat: alice.phone }], ['/chat/updateProfileName/appstate', { name: 'New name' }], ['/label/handleLabel/appstate', { number: alice.phone, labelId: '1', action: 'add' }]] as const) {
      const res = await call('POST', path, body);
      expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(400);
      expect(JSON.stringify(res.body)).toMatch(/app-state keys/);
    }
    expect((await call('POST', '/chat/updateProfileStatus/appstate', { status: 'busy' })).status).toBe(200);
  });
});
