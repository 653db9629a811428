import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPair, type Pair } from './pair.js';

/** Reactions travel as messages of their own (reactionMessage), as Baileys delivers them: a messages.upsert at the peer. */
describe('reactions between two sandbox instances', () => {
  let p: Pair;
  const CONTACT = '5511988880001';
  beforeAll(async () => {
    p = await startPair('react', ['5511920000001', '5511920000002']);
  });
  afterAll(async () => p?.stop());

  it('A reacts to a message of B, then removes the reaction; B gets both as messages.upsert', async () => {
    const text = await p.as(p.b, 'POST', `/message/sendText/${p.b.name}`, { number: p.a.number, text: 'react to me' });
    const target = text.body.key.id;
    await p.a.waitFor('messages.upsert', (d) => d.key.id === target);

    const key = { id: target, remoteJid: p.b.jid, fromMe: false };
    const res = await p.as(p.a, 'POST', `/message/sendReaction/${p.a.name}`, { key, reaction: '👍🏽' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ key: { remoteJid: p.b.jid, fromMe: true }, messageType: 'reactionMessage', status: 'PENDING', pushName: 'Você', instanceId: p.a.id });
    expect(res.body.message).toEqual({ reactionMessage: { key, text: '👍🏽', senderTimestampMs: expect.any(Number) } });
    expect(await p.a.waitFor('send.message', (d) => d.key.id === res.body.key.id)).toEqual(res.body);

    const upsert = await p.b.waitFor('messages.upsert', (d) => d.key.id === res.body.key.id);
    expect(upsert).toEqual({
      key: { remoteJid: p.a.jid, fromMe: false, id: res.body.key.id },
      pushName: p.a.profileName,
      status: 'DELIVERY_ACK',
      message: res.body.message,
      contextInfo: null,
      messageType: 'reactionMessage',
      messageTimestamp: res.body.messageTimestamp,
      instanceId: p.b.id,
      source: 'web',
    });

    const removed = await p.as(p.a, 'POST', `/message/sendReaction/${p.a.name}`, { key, reaction: '' });
    expect(removed.status).toBe(201);
    expect(removed.body.message.reactionMessage).toMatchObject({ key, text: '' });
    const removal = await p.b.waitFor('messages.upsert', (d) => d.key.id === removed.body.key.id);
    expect(removal.message.reactionMessage).toMatchObject({ key, text: '' });
  });

  it('a flag, a ZWJ family and a keycap are single emoji; text and two emoji are not', async () => {
    const key = { id: '3EB0AAAAAAAAAAAAAAAA', remoteJid: p.b.jid, fromMe: true };
    for (const reaction of ['🇧🇷', '👨‍👩‍👧', '1️⃣', '❤️']) {
      expect((await p.as(p.a, 'POST', `/message/sendReaction/${p.a.name}`, { key, reaction })).status, reaction).toBe(201);
    }
    for (const reaction of ['ok', '👍👍', 'a👍', ' ']) {
      const res = await p.as(p.a, 'POST', `/message/sendReaction/${p.a.name}`, { key, reaction });
      expect(res.status, reaction).toBe(400);
      expect(res.body).toEqual({ status: 400, error: 'Bad Request', response: { message: ['Reaction must be a single emoji or empty string'] } });
    }
  });

  it('a contact reacts to a message of the instance (control route): messages.upsert with the key as the contact wrote it', async () => {
    const sent = await p.as(p.a, 'POST', `/message/sendText/${p.a.name}`, { number: CONTACT, text: 'hello contact' });
    const res = await p.server.call('POST', `/sandbox/react/${p.a.name}`, { from: CONTACT, keyId: sent.body.key.id, reaction: '🎉', pushName: 'Carla' });
    expect(res.status).toBe(201);
    const upsert = await p.a.waitFor('messages.upsert', (d) => d.messageType === 'reactionMessage' && d.key.remoteJid === `${CONTACT}@s.whatsapp.net`);
    expect(upsert).toMatchObject({ key: { remoteJid: `${CONTACT}@s.whatsapp.net`, fromMe: false, id: res.body.key.id }, pushName: 'Carla', status: 'DELIVERY_ACK', instanceId: p.a.id });
    expect(upsert.message).toEqual({ reactionMessage: { key: { remoteJid: p.a.jid, fromMe: false, id: sent.body.key.id }, text: '🎉', senderTimestampMs: expect.any(Number) } });
    const unknown = await p.server.call('POST', `/sandbox/react/${p.a.name}`, { from: CONTACT, keyId: 'NOPE', reaction: '🎉' });
    expect(unknown.status).toBe(400);
  });
}, 60_000);
