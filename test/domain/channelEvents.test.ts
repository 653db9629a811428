/**
 * Every kind of channel event a driver can report, delivered through an instance's listener: what it stores, and the
 * upstream event it becomes at the webhook (messages and acks are covered by test/domain/ingest.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelListener } from '../../src/domain/channelListener.js';
import type { ChannelEvent, ChannelListener } from '../../src/channels/events.js';
import { WebhookReceiver } from '../helpers/receiver.js';
import { connectedSandbox, startTestServer, waitFor, type TestServer } from '../helpers/server.js';

describe('channel events other than messages and acks', () => {
  let server: TestServer;
  let receiver: WebhookReceiver;
  let listener: ChannelListener;
  let instanceId: string;
  const jid = (n: string) => `${n}@s.whatsapp.net`;
  const received = (event: string) => receiver.received.filter((r) => r.body?.event === event).map((r) => r.body.data);

  beforeAll(async () => {
    receiver = await new WebhookReceiver().start();
    server = await startTestServer();
    await connectedSandbox(server, 'events', '5511970200001', { webhook: { url: receiver.url, events: [] } });
    const live = server.gateway.registry.get('events')!;
    instanceId = live.id;
    listener = channelListener(live, { bus: server.gateway.bus, repos: server.gateway.repos, connectionChanged: (l, u) => server.gateway.instances.connectionChanged(l, u) });
  });

  afterAll(async () => {
    await server?.stop();
    await receiver?.stop();
  });

  const deliver = (...events: ChannelEvent[]) => listener.deliver(events);
  const counts = async () => (await server.call('GET', '/instance/fetchInstances?instanceName=events')).body[0]._count;

  it('contacts: stored and counted, announced as arrays', async () => {
    await deliver({ type: 'contacts', action: 'upsert', contacts: [{ remoteJid: jid('5511980200001'), pushName: 'Ana' }, { remoteJid: jid('5511980200002'), pushName: 'Bia' }] });
    expect((await counts()).Contact).toBe(2);
    await deliver({ type: 'contacts', action: 'update', contacts: [{ remoteJid: jid('5511980200001'), pushName: 'Ana Maria', profilePicUrl: 'https://pps.example/a.jpg' }] });
    const stored = await server.call('POST', '/chat/findContacts/events', { where: { remoteJid: jid('5511980200001') } });
    expect(stored.body.map((c: any) => c.pushName)).toEqual(['Ana Maria']);
    expect((await counts()).Contact).toBe(2);
    await waitFor(() => received('contacts.update').length === 1, 3000, 'contacts.update');
    expect(received('contacts.upsert')).toEqual([[
      { remoteJid: jid('5511980200001'), pushName: 'Ana', profilePicUrl: null, instanceId },
      { remoteJid: jid('5511980200002'), pushName: 'Bia', profilePicUrl: null, instanceId },
    ]]);
    expect(received('contacts.update')).toEqual([[{ remoteJid: jid('5511980200001'), pushName: 'Ana Maria', profilePicUrl: 'https://pps.example/a.jpg', instanceId }]]);
  });

  it('chats: upsert and update announced, delete removes the rows and the count', async () => {
    const chat = jid('5511980200003');
    await server.call('POST', '/sandbox/inbound/events', { from: '5511980200003', text: 'hello' });
    const before = (await counts()).Chat;
    await deliver({ type: 'chats', action: 'update', chats: [{ remoteJid: chat, archived: true }] }, { type: 'chats', action: 'delete', chats: [{ remoteJid: chat }] });
    expect((await counts()).Chat).toBe(before - 1);
    expect((await server.call('POST', '/chat/findChats/events', { where: { remoteJid: chat } })).body).toEqual([]);
    await waitFor(() => received('chats.delete').length === 1, 3000, 'chats.delete');
    expect(received('chats.update')).toContainEqual([{ remoteJid: chat, archived: true, instanceId }]);
    expect(received('chats.delete')).toEqual([[chat]]);
  });

  it('presence, groups, participants, labels and calls become their upstream events, committed in order', async () => {
    const group = '120363000000000001@g.us';
    const committed: string[] = [];
    const unsubscribe = server.gateway.bus.subscribe((e) => void (e.instanceId === instanceId && committed.push(e.event)));
    await deliver(
      { type: 'presence', remoteJid: jid('5511980200001'), presence: 'composing' },
      { type: 'groups', action: 'upsert', groups: [{ id: group, subject: 'Team' }] },
      { type: 'group.participants', groupJid: group, action: 'add', participants: [jid('5511980200002')], author: jid('5511970200001') },
      { type: 'labels', labels: [{ id: '1', name: 'VIP', color: 3, deleted: false }] },
      { type: 'label.association', action: 'add', chatId: jid('5511980200001'), labelId: '1' },
      { type: 'call', call: { id: 'CALL1', from: jid('5511980200001'), status: 'offer' } },
    );
    await waitFor(() => received('call').length === 1, 3000, 'call');
    expect(received('presence.update')).toContainEqual({ id: jid('5511980200001'), presences: { [jid('5511980200001')]: { lastKnownPresence: 'composing' } } });
    expect(received('groups.upsert')).toEqual([[{ id: group, subject: 'Team' }]]);
    expect(received('group-participants.update')).toEqual([{ id: group, author: jid('5511970200001'), participants: [jid('5511980200002')], action: 'add', participantsData: [{ jid: jid('5511980200002'), phoneNumber: '5511980200002', name: 'Bia', imgUrl: null }] }]);
    // The phone's predefined labels arrived at login as well.
    expect(received('labels.edit')).toContainEqual({ id: '1', name: 'VIP', color: 3, deleted: false, instance: 'events' });
    expect(received('labels.association')).toEqual([{ instance: 'events', type: 'add', chatId: jid('5511980200001'), labelId: '1' }]);
    expect(received('call')).toEqual([{ id: 'CALL1', from: jid('5511980200001'), status: 'offer' }]);
    unsubscribe();
    // Committed in the order reported; the webhook keeps order per chat only, so it is checked here, not at the receiver.
    expect(committed).toEqual(['presence.update', 'groups.upsert', 'group-participants.update', 'labels.edit', 'labels.association', 'call']);
  });
});
