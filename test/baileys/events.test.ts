import { proto, WAMessageStubType } from 'baileys';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/server.js';
import { startBench, type BaileysBench } from './harness.js';

const PHONE = '15550001111';
const ME = `${PHONE}@s.whatsapp.net`;
const items = (d: any): any[] => (Array.isArray(d) ? d : [d]);

describe('WHATSAPP-BAILEYS events: the library\'s events mapped to upstream names, stored as they arrive', { timeout: 120_000 }, () => {
  let b: BaileysBench | undefined;
  afterEach(async () => {
    await b?.stop();
    b = undefined;
  });

  it('history at linking goes through the batch ingest path: messages.set and chats.set, stored', async () => {
    b = await startBench();
    const t = Math.floor(Date.now() / 1000) - 3600;
    await b.link('history', PHONE, [
      { jid: '15550002222@s.whatsapp.net', name: 'Alice', lidJid: '99990002222@lid', messages: [{ id: 'HIST0001', text: 'old hello', fromMe: false, t }, { id: 'HIST0002', text: 'old reply', fromMe: true, t: t + 60 }] },
    ]);
    const set = await b.waitEvent('history', 'messages.set', (d) => items(d).some((m) => m.key.id === 'HIST0001'));
    expect(items(set.body.data).map((m: any) => m.key.id).sort()).toEqual(['HIST0001', 'HIST0002']);
    await b.waitEvent('history', 'chats.set', (d) => items(d).some((c) => c.remoteJid === '15550002222@s.whatsapp.net'));
    const stored = await b.server.call('POST', '/chat/findMessages/history', { where: { key: { remoteJid: '15550002222@s.whatsapp.net' } } });
    expect(stored.body.messages.total).toBe(2);
  });

  it('a contact\'s edit and delete for everyone: messages.edited and messages.delete on the stored message', async () => {
    b = await startBench();
    await b.link('changes', PHONE);
    const ivy = b.messaging.contact('15550004321', 'Ivy');
    const id = await ivy.sendText(ME, 'tpyo');
    await b.waitEvent('changes', 'messages.upsert', (d) => d.key.id === id);
    await ivy.edit(ME, id, 'typo');
    const edited = await b.waitEvent('changes', 'messages.edited', (d) => d.key.id === id);
    expect(edited.body.data.editedMessage).toMatchObject({ conversation: 'typo' });
    await ivy.revoke(ME, id);
    await b.waitEvent('changes', 'messages.delete', (d) => d.id === id || d.key?.id === id);
    // neither protocol message was stored as a message of its own
    const all = await b.server.call('POST', '/chat/findMessages/changes', { where: { key: { remoteJid: ivy.jid } } });
    expect(all.body.messages.total).toBe(1);
  });

  it('a call: the call event, and rejectCall rejects it on the network', async () => {
    b = await startBench();
    const { token } = await b.link('calls', PHONE);
    const set = await b.server.call('POST', '/settings/set/calls', { rejectCall: true, msgCall: '', groupsIgnore: false, alwaysOnline: false, readMessages: false, readStatus: false, syncFullHistory: false }, token);
    expect(set.status).toBe(201);
    const alice = b.messaging.contact('15550002222', 'Alice');
    const id = await b.messaging.calls.offer(alice, ME, true);
    const call = await b.waitEvent('calls', 'call', (d) => d.id === id);
    expect(call.body.data).toMatchObject({ id, from: alice.jid, status: 'offer', isVideo: true });
    await waitFor(() => b!.messaging.calls.placed.get(id)?.state === 'reject', 5000, 'the call rejected');
  });

  it('group participants: the instance adds a member, group-participants.update follows', async () => {
    b = await startBench();
    await b.link('members', PHONE);
    const alice = b.messaging.contact('15550002222', 'Alice');
    const bob = b.messaging.contact('15550003333', 'Bob');
    const group = await b.messaging.createGroup('Team', PHONE, [alice.phone]);
    await b.waitEvent('members', 'groups.upsert', (d) => items(d).some((g) => g.id === group));
    await b.channel('members').socket!.groupParticipantsUpdate(group, [bob.jid], 'add');
    const update = await b.waitEvent('members', 'group-participants.update', (d) => d.id === group && d.action === 'add');
    expect(update.body.data.participants).toEqual([bob.jid]);
  });

  it('the library\'s own emitter: labels, presence, contacts with LIDs, archived chats, decryption failures', async () => {
    b = await startBench();
    await b.link('emitter', PHONE);
    const ev = b.channel('emitter').socket!.ev;
    ev.emit('contacts.upsert', [{ id: '77770001@lid', lid: '77770001@lid', phoneNumber: '15550007777@s.whatsapp.net', notify: 'Lidia' }]);
    ev.emit('labels.edit', { id: '3', name: 'VIP', color: 2, deleted: false, predefinedId: '1' });
    ev.emit('labels.association', { type: 'add', association: { type: 'label_jid', chatId: '77770001@lid', labelId: '3' } as never });
    ev.emit('presence.update', { id: '77770001@lid', presences: { '77770001@lid': { lastKnownPresence: 'composing' } } });
    ev.emit('chats.update', [{ id: '15550007777@s.whatsapp.net', archived: true }]);
    const before = await counter(b, 'bad_mac');
    ev.emit('messages.upsert', {
      type: 'notify',
      messages: [{ key: { remoteJid: '15550007777@s.whatsapp.net', fromMe: false, id: 'UNDECRYPTABLE1' }, messageStubType: WAMessageStubType.CIPHERTEXT, messageStubParameters: ['Bad MAC'], messageTimestamp: 1 }],
    });
    ev.emit('messages.upsert', {
      type: 'notify',
      messages: [{ key: { remoteJid: '77770001@lid', remoteJidAlt: '15550007777@s.whatsapp.net', fromMe: false, id: 'LIDMSG0001' }, message: proto.Message.fromObject({ conversation: 'from a lid' }), pushName: 'Lidia', messageTimestamp: Math.floor(Date.now() / 1000) }],
    });

    const label = await b.waitEvent('emitter', 'labels.edit', (d) => d.id === '3');
    expect(label.body.data).toMatchObject({ id: '3', name: 'VIP', color: 2, deleted: false, instance: 'emitter' });
    const assoc = await b.waitEvent('emitter', 'labels.association', (d) => d.labelId === '3');
    // the LID the association came with is the contact's phone number once the map knows it
    expect(assoc.body.data).toMatchObject({ type: 'add', chatId: '15550007777@s.whatsapp.net' });
    const contact = await b.waitEvent('emitter', 'contacts.upsert', (d) => items(d).some((c) => c.remoteJid === '15550007777@s.whatsapp.net'));
    expect(items(contact.body.data).find((c) => c.remoteJid === '15550007777@s.whatsapp.net').pushName).toBe('Lidia');
    const presence = await b.waitEvent('emitter', 'presence.update', (d) => d.id === '15550007777@s.whatsapp.net');
    expect(presence.body.data.presences['15550007777@s.whatsapp.net'].lastKnownPresence).toBe('composing');
    await b.waitEvent('emitter', 'chats.update', (d) => items(d).some((c) => c.remoteJid === '15550007777@s.whatsapp.net' && c.archived === true));
    const upsert = await b.waitEvent('emitter', 'messages.upsert', (d) => d.key.id === 'LIDMSG0001');
    expect(upsert.body.data.key).toMatchObject({ remoteJid: '15550007777@s.whatsapp.net', remoteJidAlt: '77770001@lid' });
    expect(b.events('emitter', 'messages.upsert').some((r) => r.body.data.key.id === 'UNDECRYPTABLE1')).toBe(false);
    expect(await counter(b, 'bad_mac')).toBe(before + 1);
    // still open: a decryption failure is the library's to retry, never a reconnect
    expect(await b.state('emitter')).toBe('open');
  });

  it('links by pairing code: connect?number= answers the code the phone enters', async () => {
    b = await startBench();
    await b.create('pairing', { qrcode: false });
    const res = await b.server.call('GET', `/instance/connect/pairing?number=${PHONE}`);
    expect(res.status).toBe(200);
    expect(res.body.pairingCode).toMatch(/^[A-Z0-9]{8}$/);
    await b.sim.phone(PHONE).enterCode(res.body.pairingCode);
    const open = await b.waitEvent('pairing', 'connection.update', (d) => d.state === 'open', 20_000);
    expect(open.body.data.wuid).toBe(ME);
  });
});

async function counter(b: BaileysBench, reason: string): Promise<number> {
  const metric = await b.server.gateway.metrics.decryptFailures.get();
  return metric.values.find((v) => v.labels.reason === reason)?.value ?? 0;
}
