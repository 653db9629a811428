import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, waitFor, type TestServer } from '../helpers/server.js';
import { startPair, type Pair } from './pair.js';

describe('a sandbox phone keeps its profile, privacy, blocks, labels and business across a gateway restart', () => {
  let pair: Pair;
  let server: TestServer;
  beforeAll(async () => {
    pair = await startPair('rs', ['5511980000031', '5511980000032']);
    server = pair.server;
  });
  afterAll(async () => {
    await server?.stop();
    await pair.a.hook.stop();
    await pair.b.hook.stop();
  });

  it('comes back as it was', async () => {
    const { a, b } = pair;
    const picture = (await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 0, g: 90, b: 200 } } }).png().toBuffer()).toString('base64');
    const privacy = { readreceipts: 'none', profile: 'contacts', status: 'all', online: 'all', last: 'none', groupadd: 'contacts' };
    await server.call('POST', `/message/sendText/${a.name}`, { number: b.number, text: 'hi' }, a.token);
    expect((await server.call('POST', `/chat/updateProfileName/${a.name}`, { name: 'Alice R' }, a.token)).status).toBe(200);
    await server.call('POST', `/chat/updateProfileStatus/${a.name}`, { status: 'Back soon' }, a.token);
    await server.call('POST', `/chat/updateProfilePicture/${a.name}`, { picture }, a.token);
    await server.call('POST', `/chat/updatePrivacySettings/${a.name}`, privacy, a.token);
    await server.call('POST', `/chat/updateBlockStatus/${a.name}`, { number: '5511980000099', status: 'block' }, a.token);
    await server.call('POST', `/sandbox/labels/${a.name}`, { name: 'Wholesale', color: 9 });
    await server.call('POST', `/label/handleLabel/${a.name}`, { number: b.number, labelId: '6', action: 'add' }, a.token);
    await server.call('POST', `/sandbox/business/${a.name}`, { profile: { description: 'Kept' }, products: [{ id: 'k1', name: 'Kept product', price: 1000, currency: 'BRL' }] });
    const before = (await server.call('POST', `/chat/fetchProfile/${b.name}`, { number: a.number }, b.token)).body;
    expect(before).toMatchObject({ name: 'Alice R', status: 'Back soon', isBusiness: true, description: 'Kept' });

    const { dir, env } = server;
    await server.stop({ keepData: true });
    server = await startTestServer(env, dir);
    await waitFor(async () => (await server.call('GET', `/instance/connectionState/${a.name}`)).body?.instance?.state === 'open', 5000, 'A open');
    await waitFor(async () => (await server.call('GET', `/instance/connectionState/${b.name}`)).body?.instance?.state === 'open', 5000, 'B open');

    expect((await server.call('POST', `/chat/fetchProfile/${b.name}`, { number: a.number }, b.token)).body).toEqual(before);
    expect((await server.call('GET', `/chat/fetchPrivacySettings/${a.name}`, undefined, a.token)).body).toEqual(privacy);
    const img = await fetch(`${server.url}${new URL(before.picture).pathname}`);
    expect(img.status).toBe(200);
    // The custom label is still the phone's: it can be taken off the chat it is on.
    const labels = (await server.call('GET', `/label/findLabels/${a.name}`, undefined, a.token)).body;
    expect(labels).toContainEqual({ color: '9', name: 'Wholesale', id: '6', predefinedId: null });
    expect((await server.call('POST', `/label/handleLabel/${a.name}`, { number: b.number, labelId: '6', action: 'remove' }, a.token)).body).toEqual({ numberJid: b.jid, labelId: '6', remove: true });
    // The block list holds: the blocked contact's message does not arrive.
    const spam = await server.call('POST', `/sandbox/inbound/${a.name}`, { from: '5511980000099', text: 'still here' });
    expect(spam.status).toBe(201);
    const found = await server.call('POST', `/chat/findMessages/${a.name}`, { where: { key: { id: spam.body.key.id } } }, a.token);
    expect(found.body.messages.total).toBe(0);
    expect((await server.call('POST', `/business/getCatalog/${b.name}`, { number: a.number }, b.token)).body).toMatchObject({ isBusiness: true, catalogLength: 1 });
  });
}, 60_000);
