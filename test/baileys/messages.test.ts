import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/server.js';
import { startBench, type BaileysBench } from './harness.js';
import type { BaileysDriver } from '../../src/channels/baileys/driver.js';

const PHONE = '15550001111';
const ME = `${PHONE}@s.whatsapp.net`;
const jpeg = (r: number, g: number, b: number) => sharp({ create: { width: 64, height: 48, channels: 3, background: { r, g, b } } }).jpeg().toBuffer();

describe('WHATSAPP-BAILEYS messages through the gateway, on the simulator', { timeout: 120_000 }, () => {
  let b: BaileysBench | undefined;
  afterEach(async () => {
    await b?.stop();
    b = undefined;
  });

  it('a contact text arrives as messages.upsert and is stored; sendText reaches the contact; its acks come back as messages.update', async () => {
    b = await startBench();
    const { token } = await b.link('msgs', PHONE);
    const alice = b.messaging.contact('15550002222', 'Alice');

    const id = await alice.sendText(ME, 'hello gateway');
    const upsert = await b.waitEvent('msgs', 'messages.upsert', (d) => d.key.id === id);
    expect(upsert.body.data).toMatchObject({ key: { remoteJid: alice.jid, fromMe: false, id }, pushName: 'Alice', message: { conversation: 'hello gateway' }, messageType: 'conversation' });
    expect(['android', 'ios', 'web', 'desktop', 'unknown']).toContain(upsert.body.data.source);
    const found = await b.server.call('POST', '/chat/findMessages/msgs', { where: { key: { id } } });
    expect(found.body.messages.total).toBe(1);

    const sent = await b.server.call('POST', '/message/sendText/msgs', { number: alice.phone, text: 'hi alice' }, token);
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({ key: { remoteJid: alice.jid, fromMe: true }, message: { conversation: 'hi alice' }, status: 'PENDING' });
    const got = await alice.waitFor('hi alice');
    expect(got.key.id).toBe(sent.body.key.id);
    await b.waitEvent('msgs', 'messages.update', (d) => d.keyId === sent.body.key.id && d.status === 'SERVER_ACK');
    await b.waitEvent('msgs', 'messages.update', (d) => d.keyId === sent.body.key.id && d.status === 'DELIVERY_ACK');
    await alice.read(got.key);
    await b.waitEvent('msgs', 'messages.update', (d) => d.keyId === sent.body.key.id && d.status === 'READ');
    await waitFor(async () => (await b!.server.call('POST', '/chat/findMessages/msgs', { where: { key: { id: sent.body.key.id } } })).body.messages.records[0]?.status === 'READ', 5000, 'stored READ');
    // the library's getMessage (to answer a recipient's retry) is served from the message store
    const driver = b.server.gateway.drivers.get('WHATSAPP-BAILEYS') as BaileysDriver;
    const retried = await driver.runtime.storedMessage(b.server.gateway.registry.get('msgs')!.id, sent.body.key.id);
    expect(retried?.conversation ?? retried?.extendedTextMessage?.text).toBe('hi alice');
    expect(b.sim.errors).toEqual([]);
  });

  it('a LID-addressed contact: both JIDs in the payload, and the chat found by phone number', async () => {
    b = await startBench();
    const { token } = await b.link('lids', PHONE);
    const erin = b.messaging.contact('15550006666', 'Erin');
    erin.addressing = 'lid';
    const id = await erin.sendText(ME, 'via lid');
    const upsert = await b.waitEvent('lids', 'messages.upsert', (d) => d.key.id === id);
    expect(upsert.body.data.key).toMatchObject({ remoteJid: erin.jid, remoteJidAlt: erin.lidJid, fromMe: false, id });
    const byPhone = await b.server.call('POST', '/chat/findMessages/lids', { where: { key: { remoteJid: erin.jid } } });
    expect(byPhone.body.messages.records.map((r: any) => r.key.id)).toContain(id);
    const sent = await b.server.call('POST', '/message/sendText/lids', { number: erin.phone, text: 'reply by number' }, token);
    expect(sent.status).toBe(201);
    await erin.waitFor('reply by number');
  });

  it('an image each way: sent encrypted and uploaded by the library, received and downloaded into the media store', async () => {
    b = await startBench({}, undefined, { media: true });
    const { token } = await b.link('media', PHONE);
    const bob = b.messaging.contact('15550003333', 'Bob');
    const out = await jpeg(200, 30, 30);
    const sent = await b.server.call('POST', '/message/sendMedia/media', { number: bob.phone, mediatype: 'image', media: out.toString('base64'), caption: 'red', fileName: 'red.jpg' }, token);
    expect(sent.status).toBe(201);
    expect(sent.body.messageType).toBe('imageMessage');
    const got = await bob.waitFor((m) => m.key.id === sent.body.key.id);
    expect(got.message.imageMessage?.caption).toBe('red');
    expect(got.message.imageMessage?.directPath).toMatch(/^\/v\//);
    expect((await b.messaging.media.download(got)).equals(out)).toBe(true);

    const back = await jpeg(30, 30, 200);
    const id = await b.messaging.media.sendImage(bob, ME, back, 'blue');
    const upsert = await b.waitEvent('media', 'messages.upsert', (d) => d.key.id === id);
    expect(upsert.body.data.message.imageMessage).toMatchObject({ caption: 'blue', mimetype: 'image/jpeg' });
    const fetched = await b.server.call('POST', '/chat/getBase64FromMediaMessage/media', { message: { key: { id } } }, token);
    expect(fetched.status).toBe(201);
    expect(Buffer.from(fetched.body.base64, 'base64').equals(back)).toBe(true);
    expect(b.messaging.media.server?.rejected ?? []).toEqual([]);
  });

  it('a group send uses the cached group metadata; a member message arrives with its participant', async () => {
    b = await startBench();
    const { token } = await b.link('groups', PHONE);
    const alice = b.messaging.contact('15550002222', 'Alice');
    const carl = b.messaging.contact('15550003344', 'Carl');
    const group = await b.messaging.createGroup('Team', PHONE, [alice.phone, carl.phone]);
    await b.waitEvent('groups', 'groups.upsert', (d) => (Array.isArray(d) ? d : [d]).some((g: any) => g.id === group));
    const metadataQueries = () => b!.sim.router.seen.filter((r) => r.xmlns === 'w:g2' && r.child === 'query').length;
    for (const text of ['hello team', 'again']) {
      const sent = await b.server.call('POST', '/message/sendText/groups', { number: group, text }, token);
      expect(sent.status).toBe(201);
      for (const c of [alice, carl]) expect((await c.waitFor(text)).key).toMatchObject({ id: sent.body.key.id, remoteJid: group, participant: ME });
    }
    // the server told the instance about the group: no metadata query before the sends
    expect(metadataQueries()).toBe(0);
    const id = await alice.sendText(group, 'hi from alice');
    const upsert = await b.waitEvent('groups', 'messages.upsert', (d) => d.key.id === id);
    expect(upsert.body.data.key).toMatchObject({ remoteJid: group, participant: alice.jid, fromMe: false });
  });
});
