import { beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server.js';
import { jid, next, twoMembers, type Member } from './helpers.js';

describe('"who can add me to groups" is honoured when creating and adding', () => {
  const world = twoMembers(['5511933330001', '5511933330002']);
  let server: TestServer;
  let alice: Member;
  let bob: Member;
  beforeAll(() => void ({ server, alice, bob } = world));

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
