import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPair, expectEnvelope, expectGuarded, type Pair } from './pair.js';
import { waitFor } from '../helpers/server.js';

describe('chat state between two sandbox instances: archive, unread, block, presence', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await startPair('cs', ['5511940000001', '5511940000002']);
  });
  afterAll(() => pair?.stop());

  const chatOf = async (side: Pair['a'], jid: string) => (await pair.server.call('POST', `/chat/findChats/${side.name}`, { where: { remoteJid: jid } }, side.token)).body[0];

  it('archives and unarchives a chat by its last message or by `chat`; findChats and findChatByRemoteJid show it', async () => {
    const { server, a, b } = pair;
    const sent = await server.call('POST', `/message/sendText/${a.name}`, { number: b.number, text: 'hello' }, a.token);
    const before = await chatOf(a, b.jid);
    expect(before).toMatchObject({ remoteJid: b.jid, archived: false, markedAsUnread: false, labels: [] });
    // The fields findChats always had are still there.
    expect(Object.keys(before).sort()).toEqual(['archived', 'id', 'isSaved', 'labels', 'lastMessage', 'markedAsUnread', 'profilePicUrl', 'pushName', 'remoteJid', 'unreadCount', 'updatedAt', 'windowActive', 'windowExpires', 'windowStart'].sort());

    const archived = await server.call('POST', `/chat/archiveChat/${a.name}`, { archive: true, lastMessage: { key: sent.body.key, messageTimestamp: sent.body.messageTimestamp } }, a.token);
    expect(archived.status).toBe(201);
    expect(archived.body).toEqual({ chatId: b.jid, archived: true });
    const update = await a.hook.waitForEvent('chats.update');
    expectEnvelope(update, 'chats.update', a);
    expect(update.body.data).toEqual([{ remoteJid: b.jid, instanceId: sent.body.instanceId }]);
    expect((await chatOf(a, b.jid)).archived).toBe(true);
    const row = await server.call('GET', `/chat/findChatByRemoteJid/${a.name}?remoteJid=${b.jid}`, undefined, a.token);
    expect(row.status).toBe(200);
    expect(Object.keys(row.body).sort()).toEqual(['archived', 'createdAt', 'id', 'instanceId', 'labels', 'markedAsUnread', 'name', 'remoteJid', 'unreadMessages', 'updatedAt']);
    expect(row.body).toMatchObject({ id: before.id, remoteJid: b.jid, archived: true, markedAsUnread: false, unreadMessages: 0, labels: [], instanceId: sent.body.instanceId });

    // By `chat` alone: the last stored message of the chat is used. The answer's chatId is what the client gave.
    const unarchived = await server.call('POST', `/chat/archiveChat/${a.name}`, { archive: false, chat: b.number }, a.token);
    expect(unarchived.body).toEqual({ chatId: b.number, archived: true });
    expect((await chatOf(a, b.jid)).archived).toBe(false);

    // A new message from B takes the archived chat out of the archive, as on the phone.
    await server.call('POST', `/chat/archiveChat/${a.name}`, { archive: true, chat: b.number }, a.token);
    expect((await chatOf(a, b.jid)).archived).toBe(true);
    const reply = await server.call('POST', `/message/sendText/${b.name}`, { number: a.number, text: 'wake up' }, b.token);
    const back = await a.hook.waitForEvent('chats.update', (r) => r.body.data[0]?.archived === false);
    expect(back.body.data).toEqual([{ remoteJid: b.jid, archived: false, instanceId: sent.body.instanceId }]);
    await a.hook.waitForEvent('messages.upsert', (r) => r.body.data.key.id === reply.body.key.id);
    expect((await chatOf(a, b.jid)).archived).toBe(false);
    // The other side's chat is not touched.
    expect((await chatOf(b, a.jid)).archived).toBe(false);
  });

  it('archive: no messages in the chat, no chat at all, validation wording', async () => {
    const { server, a } = pair;
    const none = await server.call('POST', `/chat/archiveChat/${a.name}`, { archive: true, chat: '5511940000099' }, a.token);
    expect(none.status).toBe(404);
    expect(none.body).toEqual({ status: 404, error: 'Not Found', response: { message: ['Messages not found'] } });
    const nothing = await server.call('POST', `/chat/archiveChat/${a.name}`, { archive: true }, a.token);
    expect(nothing.status).toBe(404);
    expect(nothing.body.response.message).toEqual(['Last message not found']);
    const noFlag = await server.call('POST', `/chat/archiveChat/${a.name}`, { chat: '5511940000099' }, a.token);
    expect(noFlag.status).toBe(400);
    expect(noFlag.body.response.message).toEqual(['instance requires property "archive"']);
    const badKey = await server.call('POST', `/chat/archiveChat/${a.name}`, { archive: true, lastMessage: { key: { id: 'X' } } }, a.token);
    expect(badKey.status).toBe(400);
    expect(badKey.body.response.message).toEqual(['lastMessage.key requires property "fromMe"', 'lastMessage.key requires property "remoteJid"']);
    const emptyId = await server.call('POST', `/chat/archiveChat/${a.name}`, { archive: true, lastMessage: { key: { id: '', fromMe: true, remoteJid: '5511940000002@s.whatsapp.net' } } }, a.token);
    expect(emptyId.body.response.message).toEqual(['The "id" cannot be empty']);
    await expectGuarded(pair, 'POST', '/chat/archiveChat', { archive: true, chat: '5511940000002' });
  });

  it('marks a chat unread; reading it clears the mark', async () => {
    const { server, a, b } = pair;
    const inbound = await server.call('POST', `/message/sendText/${b.name}`, { number: a.number, text: 'are you there?' }, b.token);
    await a.hook.waitForEvent('messages.upsert', (r) => r.body.data.key.id === inbound.body.key.id);
    const key = { id: inbound.body.key.id, fromMe: false, remoteJid: b.jid };
    const marked = await server.call('POST', `/chat/markChatUnread/${a.name}`, { lastMessage: { key } }, a.token);
    expect(marked.status).toBe(201);
    expect(marked.body).toEqual({ chatId: b.jid, markedChatUnread: true });
    expect((await chatOf(a, b.jid)).markedAsUnread).toBe(true);
    expect((await server.call('POST', `/chat/markMessageAsRead/${a.name}`, { readMessages: [key] }, a.token)).status).toBe(201);
    expect((await chatOf(a, b.jid)).markedAsUnread).toBe(false);

    const missing = await server.call('POST', `/chat/markChatUnread/${a.name}`, { chat: b.number }, a.token);
    expect(missing.status).toBe(400);
    expect(missing.body.response.message).toEqual(['instance requires property "lastMessage"']);
    await expectGuarded(pair, 'POST', '/chat/markChatUnread', { lastMessage: { key } });
  });

  it("sendPresence reaches the other phone's webhook as presence.update, then paused; the answer waits for `delay`", async () => {
    const { server, a, b } = pair;
    const started = Date.now();
    const res = await server.call('POST', `/chat/sendPresence/${a.name}`, { number: b.number, presence: 'recording', delay: 300 }, a.token);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ presence: 'recording' });
    const recording = await b.hook.waitForEvent('presence.update', (r) => r.body.data.presences[a.jid]?.lastKnownPresence === 'recording');
    expectEnvelope(recording, 'presence.update', b);
    expect(recording.body.data).toEqual({ id: a.jid, presences: { [a.jid]: { lastKnownPresence: 'recording' } } });
    const paused = await b.hook.waitForEvent('presence.update', (r) => r.body.data.presences[a.jid]?.lastKnownPresence === 'paused');
    expect(paused.at).toBeGreaterThanOrEqual(recording.at);

    const bad = await server.call('POST', `/chat/sendPresence/${a.name}`, { number: b.number, presence: 'dancing', delay: 0 }, a.token);
    expect(bad.status).toBe(400);
    expect(bad.body.response.message).toEqual(['presence is not one of enum values: unavailable,available,composing,recording,paused']);
    const noDelay = await server.call('POST', `/chat/sendPresence/${a.name}`, { number: b.number, presence: 'composing' }, a.token);
    expect(noDelay.body.response.message).toEqual(['instance requires property "delay"']);
    const nobody = await server.call('POST', `/chat/sendPresence/${a.name}`, { number: '0001112223', presence: 'composing', delay: 0 }, a.token);
    expect(nobody.status).toBe(400);
    expect(nobody.body.response.message).toEqual([{ jid: '0001112223@s.whatsapp.net', exists: false, number: '0001112223' }]);
    await expectGuarded(pair, 'POST', '/chat/sendPresence', { number: b.number, presence: 'composing', delay: 0 });
  });

  it('sendPresence to a group reaches the other members, keyed by the member who shows it', async () => {
    const { server, a, b } = pair;
    const group = await server.call('POST', `/group/create/${a.name}`, { subject: 'Typing club', participants: [b.number] }, a.token);
    expect(group.status).toBe(201);
    const groupJid = group.body.id as string;
    const res = await server.call('POST', `/chat/sendPresence/${a.name}`, { number: groupJid, presence: 'composing', delay: 0 }, a.token);
    expect(res.body).toEqual({ presence: 'composing' });
    const seen = await b.hook.waitForEvent('presence.update', (r) => r.body.data.id === groupJid);
    expect(seen.body.data).toEqual({ id: groupJid, presences: { [a.jid]: { lastKnownPresence: 'composing' } } });
    expect(a.hook.events('presence.update').filter((r) => r.body.data.id === groupJid)).toEqual([]);
  });

  it("updateBlockStatus from B blocks A's messages and presence to B; unblocking lets them through again", async () => {
    const { server, a, b } = pair;
    const blocked = await server.call('POST', `/chat/updateBlockStatus/${b.name}`, { number: a.number, status: 'block' }, b.token);
    expect(blocked.status).toBe(201);
    expect(blocked.body).toEqual({ block: 'success' });

    const lost = await server.call('POST', `/message/sendText/${a.name}`, { number: b.number, text: 'can you hear me?' }, a.token);
    expect(lost.status).toBe(201);
    // The server takes it (SERVER_ACK) but never delivers it: no DELIVERY_ACK for A, nothing at B.
    await a.hook.waitForEvent('messages.update', (r) => r.body.data.keyId === lost.body.key.id && r.body.data.status === 'SERVER_ACK');
    await server.call('POST', `/chat/sendPresence/${a.name}`, { number: b.number, presence: 'composing', delay: 0 }, a.token);
    await new Promise((r) => setTimeout(r, 300));
    expect(b.hook.events('messages.upsert').filter((r) => r.body.data.key.id === lost.body.key.id)).toEqual([]);
    expect(a.hook.events('messages.update').filter((r) => r.body.data.keyId === lost.body.key.id && r.body.data.status === 'DELIVERY_ACK')).toEqual([]);
    expect(b.hook.events('presence.update').filter((r) => r.body.data.id === a.jid && r.body.data.presences[a.jid]?.lastKnownPresence === 'composing')).toEqual([]);
    // B can still write to A.
    const fromB = await server.call('POST', `/message/sendText/${b.name}`, { number: a.number, text: 'I blocked you' }, b.token);
    await a.hook.waitForEvent('messages.upsert', (r) => r.body.data.key.id === fromB.body.key.id);

    // A simulated contact B blocked: its messages and calls do not arrive either.
    const pest = '5511940000066';
    await server.call('POST', `/chat/updateBlockStatus/${b.name}`, { number: pest, status: 'block' }, b.token);
    const spam = await server.call('POST', `/sandbox/inbound/${b.name}`, { from: pest, text: 'buy now' });
    expect(spam.status).toBe(201);
    const call = await server.call('POST', `/sandbox/call/${b.name}`, { from: pest });
    expect(call.body).toMatchObject({ status: 'blocked' });
    await server.call('POST', `/chat/updateBlockStatus/${b.name}`, { number: pest, status: 'unblock' }, b.token);
    const ok = await server.call('POST', `/sandbox/inbound/${b.name}`, { from: pest, text: 'sorry' });
    await b.hook.waitForEvent('messages.upsert', (r) => r.body.data.key.id === ok.body.key.id);
    expect(b.hook.events('messages.upsert').filter((r) => r.body.data.key.id === spam.body.key.id)).toEqual([]);
    expect(b.hook.events('call').filter((r) => r.body.data.id === call.body.id)).toEqual([]);

    expect((await server.call('POST', `/chat/updateBlockStatus/${b.name}`, { number: a.number, status: 'unblock' }, b.token)).body).toEqual({ block: 'success' });
    const heard = await server.call('POST', `/message/sendText/${a.name}`, { number: b.number, text: 'now?' }, a.token);
    const got = await b.hook.waitForEvent('messages.upsert', (r) => r.body.data.key.id === heard.body.key.id);
    expect(got.body.data.message).toMatchObject({ conversation: 'now?' });

    const bad = await server.call('POST', `/chat/updateBlockStatus/${b.name}`, { number: a.number, status: 'ban' }, b.token);
    expect(bad.body.response.message).toEqual(['status is not one of enum values: block,unblock']);
    expect((await server.call('POST', `/chat/updateBlockStatus/${b.name}`, { number: '', status: 'block' }, b.token)).body.response.message).toEqual(['The "number" cannot be empty']);
    await expectGuarded(pair, 'POST', '/chat/updateBlockStatus', { number: b.number, status: 'block' });
  });

  it('findStatusMessage lists the status history rows of a chat; findChatByRemoteJid without the parameter is a 400', async () => {
    const { server, a, b } = pair;
    const sent = await server.call('POST', `/message/sendText/${a.name}`, { number: b.number, text: 'track me' }, a.token);
    await waitFor(async () => (await server.call('POST', `/chat/findStatusMessage/${a.name}`, { where: { id: sent.body.key.id } }, a.token)).body.length >= 2, 5000, 'two status rows');
    const rows = (await server.call('POST', `/chat/findStatusMessage/${a.name}`, { where: { remoteJid: b.jid, id: sent.body.key.id } }, a.token)).body;
    expect(rows.map((r: { status: string }) => r.status).slice(0, 2)).toEqual(['SERVER_ACK', 'DELIVERY_ACK']);
    expect(rows[0]).toMatchObject({ keyId: sent.body.key.id, remoteJid: b.jid, fromMe: true, participant: null, pollUpdates: null, instanceId: sent.body.instanceId });
    const paged = (await server.call('POST', `/chat/findStatusMessage/${a.name}`, { where: { id: sent.body.key.id }, page: 2, offset: 1 }, a.token)).body;
    expect(paged.map((r: { status: string }) => r.status)).toEqual(['DELIVERY_ACK']);
    await expectGuarded(pair, 'POST', '/chat/findStatusMessage', {});

    const missing = await server.call('GET', `/chat/findChatByRemoteJid/${a.name}`, undefined, a.token);
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ error: 'remoteJid is a required query parameter' });
    expect((await server.call('GET', `/chat/findChatByRemoteJid/${a.name}?remoteJid=5511940000077@s.whatsapp.net`, undefined, a.token)).body).toBeNull();
    await expectGuarded(pair, 'GET', '/chat/findChatByRemoteJid');
  });
});
