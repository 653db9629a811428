import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPair, type Pair } from './pair.js';

/** Edits, deletes for everyone and played receipts, seen by the instance that makes them and by its peer. */
describe('edits, deletes for everyone and played receipts', () => {
  let p: Pair;
  const CONTACT = '5511988880004';
  const contactJid = `${CONTACT}@s.whatsapp.net`;
  beforeAll(async () => {
    p = await startPair('chg', ['5511940000001', '5511940000002']);
  });
  afterAll(async () => p?.stop());

  const sendText = async (text: string) => {
    const res = await p.as(p.a, 'POST', `/message/sendText/${p.a.name}`, { number: p.b.number, text });
    await p.b.waitFor('messages.upsert', (d) => d.key.id === res.body.key.id);
    return res.body;
  };
  const findOne = async (side: typeof p.a, id: string) => (await p.as(side, 'POST', `/chat/findMessages/${side.name}`, { where: { key: { id } } })).body.messages.records[0];

  it('updateMessage edits an own text: the peer gets messages.edited and messages.update, findMessages shows the new text', async () => {
    const original = await sendText('helo');
    const key = { id: original.key.id, remoteJid: p.b.jid, fromMe: true };
    const res = await p.as(p.a, 'POST', `/chat/updateMessage/${p.a.name}`, { number: p.b.number, key, text: 'hello' });
    expect(res.status).toBe(200);
    const protocolMessage = { key, type: 'MESSAGE_EDIT', editedMessage: { conversation: 'hello' }, timestampMs: expect.any(Number) };
    expect(res.body).toEqual({ key: { remoteJid: p.b.jid, fromMe: true, id: expect.stringMatching(/^3EB0/) }, message: { protocolMessage }, messageTimestamp: expect.any(Number), status: 'PENDING' });
    expect(res.body.key.id).not.toBe(original.key.id);

    // The editor's webhook: send.message.update with the edit's protocol message.
    const own = await p.a.waitFor('send.message.update', (d) => d.key.id === original.key.id);
    expect(own).toEqual(res.body.message.protocolMessage);
    expect(await findOne(p.a, original.key.id)).toMatchObject({ message: { conversation: 'hello' }, status: 'EDITED', MessageUpdate: expect.arrayContaining([{ status: 'EDITED' }]) });

    // The peer's webhook: the edit twice, as Baileys reports it.
    const peerKey = { remoteJid: p.a.jid, fromMe: false, id: original.key.id };
    const edited = await p.b.waitFor('messages.edited', (d) => d.key.id === original.key.id);
    const stored = await findOne(p.b, original.key.id);
    expect(edited).toEqual({ key: peerKey, type: 'MESSAGE_EDIT', editedMessage: { conversation: 'hello' }, timestampMs: expect.any(Number), instanceId: p.b.id, messageId: stored.id });
    const update = await p.b.waitFor('messages.update', (d) => d.keyId === original.key.id && d.status === 'EDITED');
    expect(update).toEqual({ keyId: original.key.id, remoteJid: p.a.jid, fromMe: false, status: 'EDITED', message: { editedMessage: { message: { conversation: 'hello' } } }, instanceId: p.b.id, messageId: stored.id });
    expect(stored).toMatchObject({ message: { conversation: 'hello' }, status: 'EDITED' });
  });

  it('updateMessage on an own image replaces its caption', async () => {
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
    const image = await p.as(p.a, 'POST', `/message/sendMedia/${p.a.name}`, { number: p.b.number, mediatype: 'image', media: png, caption: 'old caption' });
    expect(image.status, JSON.stringify(image.body)).toBe(201);
    const key = { id: image.body.key.id, remoteJid: p.b.jid, fromMe: true };
    await p.b.waitFor('messages.upsert', (d) => d.key.id === key.id);
    const res = await p.as(p.a, 'POST', `/chat/updateMessage/${p.a.name}`, { number: p.b.number, key, text: 'new caption' });
    expect(res.status).toBe(200);
    const edited = res.body.message.protocolMessage.editedMessage;
    expect(edited).toEqual({ imageMessage: { ...image.body.message.imageMessage, caption: 'new caption' } });
    const peer = await p.b.waitFor('messages.edited', (d) => d.key.id === key.id);
    expect(peer.editedMessage).toEqual(edited);
    expect((await findOne(p.a, key.id)).message.imageMessage.caption).toBe('new caption');
    expect((await findOne(p.b, key.id)).message.imageMessage.caption).toBe('new caption');
  });

  it('refuses edits of messages of others, of other chats, of unknown or non-text messages', async () => {
    const theirs = await p.as(p.b, 'POST', `/message/sendText/${p.b.name}`, { number: p.a.number, text: 'mine, not yours' });
    await p.a.waitFor('messages.upsert', (d) => d.key.id === theirs.body.key.id);
    const edit = (body: Record<string, unknown>) => p.as(p.a, 'POST', `/chat/updateMessage/${p.a.name}`, body);
    const bad = (message: string) => ({ status: 400, body: { status: 400, error: 'Bad Request', response: { message: [message] } } });
    expect(await edit({ number: p.b.number, key: { id: theirs.body.key.id, remoteJid: p.b.jid, fromMe: false }, text: 'x' })).toMatchObject(bad('You cannot edit others messages'));
    const own = await sendText('own');
    expect(await edit({ number: CONTACT, key: { id: own.key.id, remoteJid: p.b.jid, fromMe: true }, text: 'x' })).toMatchObject(bad('RemoteJid does not match'));
    expect(await edit({ number: p.b.number, key: { id: 'UNKNOWN', remoteJid: p.b.jid, fromMe: true }, text: 'x' })).toMatchObject(bad('Message not compatible'));
    const location = await p.as(p.a, 'POST', `/message/sendLocation/${p.a.name}`, { number: p.b.number, latitude: 1, longitude: 2, name: 'n', address: 'a' });
    expect(await edit({ number: p.b.number, key: { id: location.body.key.id, remoteJid: p.b.jid, fromMe: true }, text: 'x' })).toMatchObject(bad('Message not compatible'));
  });

  it('deleteMessageForEveryone revokes an own message: messages.delete at both ends, kept as DELETED', async () => {
    const original = await sendText('oops');
    const res = await p.as(p.a, 'DELETE', `/chat/deleteMessageForEveryone/${p.a.name}`, { id: original.key.id, fromMe: true, remoteJid: p.b.jid });
    expect(res.status).toBe(201);
    const key = { remoteJid: p.b.jid, fromMe: true, id: original.key.id };
    expect(res.body).toEqual({ key: { remoteJid: p.b.jid, fromMe: true, id: expect.stringMatching(/^3EB0/) }, message: { protocolMessage: { key, type: 'REVOKE' } }, messageTimestamp: expect.any(Number), status: 'PENDING' });

    const mine = await p.a.waitFor('messages.delete', (d) => d.key?.id === original.key.id);
    const storedA = await findOne(p.a, original.key.id);
    expect(mine).toEqual({ id: storedA.id, instanceId: p.a.id, key: { ...key, deleted: true }, messageType: 'conversation', status: 'DELETED', source: 'web', messageTimestamp: original.messageTimestamp, pushName: 'Você', participant: null, message: { conversation: 'oops' } });
    expect(storedA).toMatchObject({ key: { ...key, deleted: true }, status: 'DELETED', MessageUpdate: expect.arrayContaining([{ status: 'DELETED' }]) });

    const theirs = await p.b.waitFor('messages.delete', (d) => d.id === original.key.id);
    expect(theirs).toEqual({ remoteJid: p.a.jid, fromMe: false, id: original.key.id, status: 'DELETED' });
    expect(await findOne(p.b, original.key.id)).toMatchObject({ status: 'DELETED', MessageUpdate: [{ status: 'DELETED' }] });

    // A deleted message cannot be edited any more.
    const edit = await p.as(p.a, 'POST', `/chat/updateMessage/${p.a.name}`, { number: p.b.number, key, text: 'x' });
    expect(edit.body.response.message).toEqual(['You cannot edit deleted messages']);
  });

  it('a revoke of a message the instance never stored still goes out, without an event', async () => {
    const res = await p.as(p.a, 'DELETE', `/chat/deleteMessageForEveryone/${p.a.name}`, { id: '3EB0FFFFFFFFFFFFFFFF', fromMe: true, remoteJid: p.b.number });
    expect(res.status).toBe(201);
    expect(res.body.message.protocolMessage).toEqual({ key: { remoteJid: p.b.jid, fromMe: true, id: '3EB0FFFFFFFFFFFFFFFF' }, type: 'REVOKE' });
    await new Promise((r) => setTimeout(r, 100));
    expect(p.a.events('messages.delete').filter((r) => r.body.data.key?.id === '3EB0FFFFFFFFFFFFFFFF')).toEqual([]);
  });

  it('a contact edits and deletes one of its messages (control routes): the instance gets the updates', async () => {
    const inbound = await p.server.call('POST', `/sandbox/inbound/${p.a.name}`, { from: CONTACT, pushName: 'Dora', text: 'typo' });
    const id = inbound.body.key.id;
    expect((await p.server.call('POST', `/sandbox/edit/${p.a.name}`, { from: CONTACT, keyId: id, text: 'fixed' })).status).toBe(201);
    const stored = await findOne(p.a, id);
    const edited = await p.a.waitFor('messages.edited', (d) => d.key.id === id);
    expect(edited).toEqual({ key: { remoteJid: contactJid, fromMe: false, id }, type: 'MESSAGE_EDIT', editedMessage: { conversation: 'fixed' }, timestampMs: expect.any(Number), instanceId: p.a.id, messageId: stored.id });
    expect(await p.a.waitFor('messages.update', (d) => d.keyId === id && d.status === 'EDITED')).toMatchObject({ remoteJid: contactJid, fromMe: false, message: { editedMessage: { message: { conversation: 'fixed' } } } });
    expect(stored.message).toEqual({ conversation: 'fixed' });

    expect((await p.server.call('POST', `/sandbox/delete/${p.a.name}`, { from: CONTACT, keyId: id })).status).toBe(201);
    expect(await p.a.waitFor('messages.delete', (d) => d.id === id)).toEqual({ remoteJid: contactJid, fromMe: false, id, status: 'DELETED' });
    // A contact cannot touch the instance's own messages.
    const own = await p.as(p.a, 'POST', `/message/sendText/${p.a.name}`, { number: CONTACT, text: 'mine' });
    const refused = await p.server.call('POST', `/sandbox/edit/${p.a.name}`, { from: CONTACT, keyId: own.body.key.id, text: 'x' });
    expect(refused).toMatchObject({ status: 400, body: { response: { message: [`Message "${own.body.key.id}" was not sent by ${CONTACT}`] } } });
  });

  it('a peer cannot revoke for everyone a message it received in a one-to-one chat: the other phone ignores it', async () => {
    const original = await sendText('stays');
    const res = await p.as(p.b, 'DELETE', `/chat/deleteMessageForEveryone/${p.b.name}`, { id: original.key.id, fromMe: false, remoteJid: p.a.jid });
    expect(res.status).toBe(201);
    await p.b.waitFor('messages.delete', (d) => d.key?.id === original.key.id);
    await new Promise((r) => setTimeout(r, 100));
    expect((await findOne(p.a, original.key.id)).status).not.toBe('DELETED');
  });

  it('markMessageAsPlayed: the sender sees PLAYED', async () => {
    const voice = await p.as(p.b, 'POST', `/message/sendText/${p.b.name}`, { number: p.a.number, text: 'pretend I am a voice note' });
    await p.a.waitFor('messages.upsert', (d) => d.key.id === voice.body.key.id);
    const res = await p.as(p.a, 'POST', `/chat/markMessageAsPlayed/${p.a.name}`, { playedMessages: [{ id: voice.body.key.id, fromMe: false, remoteJid: p.b.jid }, { id: 'X', fromMe: false, remoteJid: '1234@lid' }] });
    expect(res).toMatchObject({ status: 201, body: { message: 'Played messages', played: 'success' } });
    const played = await p.b.waitFor('messages.update', (d) => d.keyId === voice.body.key.id && d.status === 'PLAYED');
    expect(played).toMatchObject({ keyId: voice.body.key.id, remoteJid: p.a.jid, fromMe: true, status: 'PLAYED', instanceId: p.b.id });
    expect((await findOne(p.b, voice.body.key.id)).status).toBe('PLAYED');
  });
}, 60_000);
