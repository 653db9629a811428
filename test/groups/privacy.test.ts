import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { WebhookReceiver } from '../helpers/receiver.js';
import { jid, member, next, type Member } from './helpers.js';

describe('"who can add me to groups" is honoured when creating and adding', () => {
  let server: TestServer;
  const hooks = [new WebhookReceiver(), new WebhookReceiver()];
  let alice: Member;
  let bob: Member;

  beforeAll(async () => {
    for (const h of hooks) await h.start();
    server = await startTestServer();
    alice = await member(server, hooks[0]!, 'alice', '5511933330001', 'Alice');
    bob = await member(server, hooks[1]!, 'bob', '5511933330002', 'Bob');
  });
  afterAll(async () => {
    await server?.stop();
    for (const h of hooks) await h.stop();
  });

  const privacy = (groupadd: string) => server.call('POST', '/chat/updatePrivacySettings/bob', { readreceipts: 'all', profile: 'all', status: 'contacts', online: 'all', last: 'all', groupadd }, bob.token);

  it('leaves bob out while only his contacts may add him, and lets alice add him once she is one', async () => {
    expect((await privacy('contacts')).status).toBe(201);
    const created = await server.call('POST', '/group/create/alice', { subject: 'Privacy', participants: [bob.number] }, alice.token);
    expect(created.status).toBe(201);
    expect(created.body.participants).toEqual([{ id: jid(alice.number), admin: 'superadmin' }]);
    const group = created.body.id;
    const add = () => server.call('POST', '/group/updateParticipant/alice', { groupJid: group, action: 'add', participants: [bob.number] }, alice.token);
    expect((await add()).body).toEqual({ updateParticipants: [{ status: '403', jid: jid(bob.number) }] });
    expect(bob.hook.events('groups.upsert')).toHaveLength(0);

    // Bob writes to Alice: she is his contact now.
    expect((await server.call('POST', '/message/sendText/bob', { number: alice.number, text: 'hi' }, bob.token)).status).toBe(201);
    expect((await add()).body).toEqual({ updateParticipants: [{ status: '200', jid: jid(bob.number) }] });
    expect((await next(bob, 'groups.upsert'))[0]).toMatchObject({ id: group, author: jid(alice.number), size: 2 });

    expect((await privacy('none')).status).toBe(201);
    await server.call('POST', '/group/updateParticipant/alice', { groupJid: group, action: 'remove', participants: [bob.number] }, alice.token);
    expect((await add()).body).toEqual({ updateParticipants: [{ status: '403', jid: jid(bob.number) }] });
  });
}, 30_000);
