import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPair, expectEnvelope, expectGuarded, type Pair } from './pair.js';
import { WebhookReceiver } from '../helpers/receiver.js';

const ALL = { readreceipts: 'all', profile: 'all', status: 'all', online: 'all', last: 'all', groupadd: 'all' };

describe('profile and privacy between two sandbox instances', () => {
  let pair: Pair;
  let picture: string;
  beforeAll(async () => {
    pair = await startPair('pf', ['5511950000001', '5511950000002']);
    picture = (await sharp({ create: { width: 800, height: 600, channels: 3, background: { r: 200, g: 30, b: 30 } } }).png().toBuffer()).toString('base64');
  });
  afterAll(() => pair?.stop());

  const profileOf = async (viewer: Pair['a'], number?: string) => pair.server.call('POST', `/chat/fetchProfile/${viewer.name}`, number ? { number } : {}, viewer.token);
  /** Profile picture URLs point at the gateway's picture server; fetch one there. */
  const download = async (url: string) => {
    const res = await fetch(`${pair.server.url}${new URL(url).pathname}`);
    return { status: res.status, type: res.headers.get('content-type'), body: Buffer.from(await res.arrayBuffer()) };
  };

  it("B sees A's name, status and picture as A set them; A's contacts get contacts.update for the picture", async () => {
    const { server, a, b } = pair;
    // B wrote to A first, so A is B's contact and B knows A.
    await server.call('POST', `/message/sendText/${b.name}`, { number: a.number, text: 'hi' }, b.token);
    await a.hook.waitForEvent('messages.upsert');

    expect((await server.call('POST', `/chat/updateProfileName/${a.name}`, { name: 'Alice Cooper' }, a.token)).body).toEqual({ update: 'success' });
    const status = await server.call('POST', `/chat/updateProfileStatus/${a.name}`, { status: 'Out for lunch' }, a.token);
    expect(status.status).toBe(200);
    expect(status.body).toEqual({ update: 'success' });
    // Everyone may see A's status for this step.
    expect((await server.call('POST', `/chat/updatePrivacySettings/${a.name}`, ALL, a.token)).status).toBe(201);

    const set = await server.call('POST', `/chat/updateProfilePicture/${a.name}`, { picture }, a.token);
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ update: 'success' });

    const seen = await profileOf(b, a.number);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ wuid: a.jid, name: 'Alice Cooper', numberExists: true, status: 'Out for lunch', isBusiness: false });
    expect(Object.keys(seen.body).sort()).toEqual(['isBusiness', 'name', 'numberExists', 'picture', 'status', 'wuid']);
    expect(seen.body.picture).toMatch(new RegExp(`^http://gateway\\.test/sandbox/picture/${a.number}/[0-9a-f]{16}\\.jpg$`));
    const img = await download(seen.body.picture);
    expect(img.status).toBe(200);
    expect(img.type).toBe('image/jpeg');
    expect(await sharp(img.body).metadata()).toMatchObject({ format: 'jpeg', width: 640, height: 640 });
    const pic = await server.call('POST', `/chat/fetchProfilePictureUrl/${b.name}`, { number: a.number }, b.token);
    expect(pic.body).toEqual({ wuid: a.jid, profilePictureUrl: seen.body.picture });

    const update = await b.hook.waitForEvent('contacts.update', (r) => r.body.data[0]?.remoteJid === a.jid);
    expectEnvelope(update, 'contacts.update', b);
    expect(update.body.data).toEqual([{ remoteJid: a.jid, pushName: 'Alice Cooper', profilePicUrl: seen.body.picture, instanceId: update.body.data[0].instanceId }]);
    // A reconnects with the new picture, as upstream reloads the connection after a picture change.
    const open = await a.hook.waitForEvent('connection.update', (r) => r.body.data.profilePictureUrl === seen.body.picture);
    expect(open.body.data).toEqual({ instance: a.name, wuid: a.jid, profileName: 'Alice Cooper', profilePictureUrl: seen.body.picture, state: 'open', statusReason: 200 });

    // B takes a picture by URL (here: A's, served by the gateway).
    const byUrl = await server.call('POST', `/chat/updateProfilePicture/${b.name}`, { picture: `${server.url}${new URL(seen.body.picture).pathname}` }, b.token);
    expect(byUrl.body).toEqual({ update: 'success' });
    const bPicture = (await profileOf(a, b.number)).body.picture;
    expect(bPicture).toMatch(new RegExp(`/sandbox/picture/${b.number}/`));
    expect(await sharp((await download(bPicture)).body).metadata()).toMatchObject({ format: 'jpeg', width: 640, height: 640 });

    // A's own profile.
    const own = await profileOf(a);
    expect(own.body).toEqual({ wuid: a.jid, name: 'Alice Cooper', numberExists: true, picture: seen.body.picture, status: 'Out for lunch', isBusiness: false });
    // A's later messages carry the new name.
    await server.call('POST', `/message/sendText/${a.name}`, { number: b.number, text: 'new name' }, a.token);
    const msg = await b.hook.waitForEvent('messages.upsert', (r) => r.body.data.message?.conversation === 'new name');
    expect(msg.body.data.pushName).toBe('Alice Cooper');
  });

  it("A's privacy decides what B sees: profile none hides the picture, status contacts hides it from non-contacts", async () => {
    const { server, a, b } = pair;
    const data = { readreceipts: 'none', profile: 'none', status: 'contacts', online: 'match_last_seen', last: 'contacts', groupadd: 'contact_blacklist' };
    const updated = await server.call('POST', `/chat/updatePrivacySettings/${a.name}`, data, a.token);
    expect(updated.status).toBe(201);
    expect(updated.body).toEqual({ update: 'success', data });
    const fetched = await server.call('GET', `/chat/fetchPrivacySettings/${a.name}`, undefined, a.token);
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual(data);
    // A has written to B (previous test): B is A's contact and sees the status, but no picture.
    expect((await profileOf(b, a.number)).body).toMatchObject({ picture: null, status: 'Out for lunch' });

    // C never exchanged messages with A: not a contact, sees neither.
    const cHook = await new WebhookReceiver().start();
    const c = await server.call('POST', '/instance/create', { instanceName: 'pf-c', integration: 'SANDBOX', qrcode: true, webhook: { url: cHook.url, events: [] } });
    await server.call('POST', '/sandbox/scan/pf-c', { number: '5511950000003' });
    const seenByC = await server.call('POST', '/chat/fetchProfile/pf-c', { number: a.number }, c.body.hash);
    expect(seenByC.body).toMatchObject({ wuid: a.jid, picture: null, status: null, name: 'Alice Cooper' });
    // B's privacy is untouched: the defaults.
    expect((await server.call('GET', `/chat/fetchPrivacySettings/${b.name}`, undefined, b.token)).body).toEqual({ readreceipts: 'all', profile: 'all', status: 'all', online: 'all', last: 'all', groupadd: 'all' });

    // Read receipts off: B never sees READ for what A reads.
    const toA = await server.call('POST', `/message/sendText/${b.name}`, { number: a.number, text: 'did you read this?' }, b.token);
    await a.hook.waitForEvent('messages.upsert', (r) => r.body.data.key.id === toA.body.key.id);
    expect((await server.call('POST', `/chat/markMessageAsRead/${a.name}`, { readMessages: [{ id: toA.body.key.id, fromMe: false, remoteJid: b.jid }] }, a.token)).status).toBe(201);
    await b.hook.waitForEvent('messages.update', (r) => r.body.data.keyId === toA.body.key.id && r.body.data.status === 'DELIVERY_ACK');
    await new Promise((r) => setTimeout(r, 200));
    expect(b.hook.events('messages.update').filter((r) => r.body.data.keyId === toA.body.key.id).map((r) => r.body.data.status)).not.toContain('READ');
    // Online follows last seen (contacts): B sees A come online, C does not.
    await server.call('POST', `/chat/sendPresence/${a.name}`, { number: '5511950000003', presence: 'available', delay: 0 }, a.token);
    await server.call('POST', `/chat/sendPresence/${a.name}`, { number: '5511950000003', presence: 'composing', delay: 0 }, a.token);
    await server.call('POST', `/chat/sendPresence/${a.name}`, { number: b.number, presence: 'available', delay: 0 }, a.token);
    await b.hook.waitForEvent('presence.update', (r) => r.body.data.presences[a.jid]?.lastKnownPresence === 'available');
    await cHook.waitForEvent('presence.update', (r) => r.body.data.presences[a.jid]?.lastKnownPresence === 'composing');
    expect(cHook.events('presence.update').map((r) => r.body.data.presences[a.jid]?.lastKnownPresence)).toEqual(['composing']);
    await cHook.stop();

    await server.call('POST', `/chat/updatePrivacySettings/${a.name}`, { ...data, profile: 'contacts' }, a.token);
    expect((await profileOf(b, a.number)).body.picture).toMatch(/\/sandbox\/picture\//);
    expect((await server.call('POST', '/chat/fetchProfile/pf-c', { number: a.number }, c.body.hash)).body.picture).toBeNull();
  });

  it('removing the picture: peers see none, and the old URL no longer serves it', async () => {
    const { server, a, b } = pair;
    await server.call('POST', `/chat/updatePrivacySettings/${a.name}`, ALL, a.token);
    const before = (await profileOf(b, a.number)).body.picture;
    const removed = await server.call('DELETE', `/chat/removeProfilePicture/${a.name}`, undefined, a.token);
    expect(removed.status).toBe(200);
    expect(removed.body).toEqual({ update: 'success' });
    expect((await profileOf(b, a.number)).body.picture).toBeNull();
    expect((await download(before)).status).toBe(404);
    const update = await b.hook.waitForEvent('contacts.update', (r) => r.body.data[0]?.remoteJid === a.jid && r.body.data[0]?.profilePicUrl === null);
    expect(update.body.data[0].pushName).toBe('Alice Cooper');
    // fetchProfilePictureUrl answered from its cache before; the contacts.update made it ask again.
    expect((await server.call('POST', `/chat/fetchProfilePictureUrl/${b.name}`, { number: a.number }, b.token)).body).toEqual({ wuid: a.jid, profilePictureUrl: null });
  });

  it("fetchProfilePictureUrl of a group answers the group's picture to members", async () => {
    const { server, a, b } = pair;
    const group = await server.call('POST', `/group/create/${a.name}`, { subject: 'Pictures', participants: [b.number] }, a.token);
    expect(group.status).toBe(201);
    const groupJid = group.body.id as string;
    expect((await server.call('POST', `/chat/fetchProfilePictureUrl/${b.name}`, { number: groupJid }, b.token)).body).toEqual({ wuid: groupJid, profilePictureUrl: null });
    expect((await server.call('POST', `/group/updateGroupPicture/${a.name}`, { groupJid, image: picture }, a.token)).status).toBe(201);
    const info = await server.call('GET', `/group/findGroupInfos/${a.name}?groupJid=${groupJid}`, undefined, a.token);
    // A asks for the first time now (B's null above is cached for the picture cache's TTL, as any picture answer is).
    expect((await server.call('POST', `/chat/fetchProfilePictureUrl/${a.name}`, { number: groupJid }, a.token)).body).toEqual({ wuid: groupJid, profilePictureUrl: info.body.pictureUrl });
    expect(info.body.pictureUrl).toEqual(expect.any(String));
  });

  it('validation wording, refusals and guards', async () => {
    const { server, a, b } = pair;
    const partial = await server.call('POST', `/chat/updatePrivacySettings/${a.name}`, { readreceipts: 'all', profile: 'all' }, a.token);
    expect(partial.status).toBe(400);
    expect(partial.body.response.message).toEqual(['instance requires property "status"', 'instance requires property "online"', 'instance requires property "last"', 'instance requires property "groupadd"']);
    const badEnum = await server.call('POST', `/chat/updatePrivacySettings/${a.name}`, { ...ALL, online: 'contacts' }, a.token);
    expect(badEnum.body.response.message).toEqual(['online is not one of enum values: all,match_last_seen']);
    expect((await server.call('POST', `/chat/updateProfileName/${a.name}`, {}, a.token)).body.response.message).toEqual(['instance requires property "name"']);
    expect((await server.call('POST', `/chat/updateProfileStatus/${a.name}`, {}, a.token)).body.response.message).toEqual(['instance requires property "status"']);
    expect((await server.call('POST', `/chat/updateProfileName/${a.name}`, { name: '' }, a.token)).body.response.message).toEqual(['The "name" cannot be empty']);
    expect((await server.call('POST', `/chat/updateProfileStatus/${a.name}`, { status: 7 }, a.token)).body.response.message).toEqual(['status is not of a type(s) string']);
    const noPicture = await server.call('POST', `/chat/updateProfilePicture/${a.name}`, {}, a.token);
    expect(noPicture.status).toBe(400);
    expect(noPicture.body.response.message).toEqual(['"profilePicture" must be a url or a base 64']);
    const notMedia = await server.call('POST', `/chat/updateProfilePicture/${a.name}`, { picture: 'not a picture!' }, a.token);
    expect(notMedia.status).toBe(400);
    expect(notMedia.body.response.message).toEqual(['"profilePicture" must be a url or a base 64']);
    const notImage = await server.call('POST', `/chat/updateProfilePicture/${a.name}`, { picture: Buffer.from('%PDF-1.4 just text, not an image at all').toString('base64') }, a.token);
    expect(notImage.status).toBe(400);
    expect(JSON.stringify(notImage.body.response.message)).toMatch(/image/);
    const nobody = await profileOf(b, '0001234567');
    expect(nobody.status).toBe(400);
    expect(nobody.body.response.message).toEqual([{ jid: '0001234567@s.whatsapp.net', exists: false, number: '0001234567' }]);

    await expectGuarded(pair, 'POST', '/chat/fetchProfile', {});
    await expectGuarded(pair, 'POST', '/chat/updateProfileName', { name: 'x' });
    await expectGuarded(pair, 'POST', '/chat/updateProfileStatus', { status: 'x' });
    await expectGuarded(pair, 'POST', '/chat/updateProfilePicture', { picture });
    await expectGuarded(pair, 'DELETE', '/chat/removeProfilePicture');
    await expectGuarded(pair, 'GET', '/chat/fetchPrivacySettings');
    await expectGuarded(pair, 'POST', '/chat/updatePrivacySettings', ALL);
    await expectGuarded(pair, 'POST', '/chat/fetchBusinessProfile', {});
  });
});
