import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { WebhookReceiver } from '../helpers/receiver.js';
import { groupUpdate, jid, member, next, participantsUpdate, type Member } from './helpers.js';

const GROUP_INFO_KEYS = ['id', 'subject', 'subjectOwner', 'subjectTime', 'pictureUrl', 'size', 'creation', 'owner', 'desc', 'descId', 'restrict', 'announce', 'participants', 'isCommunity', 'isCommunityAnnounce'];

describe('groups end to end between sandbox instances, checked at every webhook', () => {
  let server: TestServer;
  const hooks = [new WebhookReceiver(), new WebhookReceiver(), new WebhookReceiver()];
  let alice: Member;
  let bob: Member;
  let carol: Member;
  const dora = '5511977770004'; // a simulated contact, not a sandbox instance
  let group = '';

  beforeAll(async () => {
    for (const h of hooks) await h.start();
    server = await startTestServer();
    alice = await member(server, hooks[0]!, 'alice', '5511977770001', 'Alice');
    bob = await member(server, hooks[1]!, 'bob', '5511977770002', 'Bob');
    carol = await member(server, hooks[2]!, 'carol', '5511977770003', 'Carol');
  });
  afterAll(async () => {
    await server?.stop();
    for (const h of hooks) await h.stop();
  });

  const as = (m: Member, method: string, path: string, body?: unknown) => server.call(method, `/group/${path.replace('{i}', m.name)}`, body, m.token);

  it('create: the creator is superadmin, members get groups.upsert, the description follows as groups.update', async () => {
    const res = await as(alice, 'POST', 'create/{i}', { subject: 'Team', participants: [bob.number, dora, '0001234567'], description: 'Our team' });
    expect(res.status).toBe(201);
    group = res.body.id;
    expect(group).toMatch(/^120363\d{12}@g\.us$/);
    const participants = [{ id: jid(alice.number), admin: 'superadmin' }, { id: jid(bob.number), admin: null }, { id: jid(dora), admin: null }];
    expect(res.body).toEqual({
      id: group, addressingMode: 'pn', subject: 'Team', subjectOwner: jid(alice.number), subjectTime: expect.any(Number), size: 3, creation: res.body.subjectTime,
      owner: jid(alice.number), desc: 'Our team', descId: expect.stringMatching(/^[0-9A-F]{16}$/), descOwner: jid(alice.number), descTime: expect.any(Number),
      restrict: false, announce: false, isCommunity: false, isCommunityAnnounce: false, joinApprovalMode: false, memberAddMode: true, participants,
    });
    const { desc: _d, descId: _i, descOwner: _o, descTime: _t, ...beforeDescription } = res.body;
    for (const m of [alice, bob]) {
      expect(await next(m, 'groups.upsert')).toEqual([{ ...beforeDescription, author: jid(alice.number) }]);
      expect(await groupUpdate(m, group, 'desc', 'Our team')).toEqual([{ id: group, desc: 'Our team', descId: res.body.descId, author: jid(alice.number) }]);
    }
    expect(carol.hook.events('groups.upsert')).toHaveLength(0);
  });

  it('invite: an admin gets the code, another instance joins by it, a revoked code no longer works', async () => {
    const invite = await as(alice, 'GET', `inviteCode/{i}?groupJid=${group}`);
    expect(invite.status).toBe(200);
    expect(invite.body).toEqual({ inviteUrl: `https://chat.whatsapp.com/${invite.body.inviteCode}`, inviteCode: expect.stringMatching(/^[A-Za-z0-9]{22}$/) });
    const code = invite.body.inviteCode;
    // Only admins see the link.
    expect(await as(bob, 'GET', `inviteCode/{i}?groupJid=${group}`)).toMatchObject({ status: 404, body: { status: 404, error: 'Not Found', response: { message: ['No invite code', 'Error: not-authorized'] } } });

    const info = await as(carol, 'GET', `inviteInfo/{i}?inviteCode=${code}`);
    expect(info.status).toBe(200);
    expect(info.body).toMatchObject({ id: group, subject: 'Team', size: 3, owner: jid(alice.number), desc: 'Our team' });

    const accepted = await as(carol, 'GET', `acceptInviteCode/{i}?inviteCode=${code}`);
    expect(accepted).toMatchObject({ status: 200, body: { accepted: true, groupJid: group } });
    const joined = await next(carol, 'groups.upsert');
    expect(joined).toHaveLength(1);
    expect(joined[0]).toMatchObject({ id: group, subject: 'Team', size: 4, author: jid(carol.number) });
    expect(joined[0].participants.at(-1)).toEqual({ id: jid(carol.number), admin: null });
    for (const m of [alice, bob, carol]) {
      expect(await participantsUpdate(m, group, 'add', [jid(carol.number)])).toEqual({
        id: group, author: jid(carol.number), participants: [jid(carol.number)], action: 'add', participantsData: [{ jid: jid(carol.number), phoneNumber: carol.number }],
      });
    }
    expect(await as(carol, 'GET', `acceptInviteCode/{i}?inviteCode=${code}`)).toMatchObject({ status: 404, body: { response: { message: ['Accept invite error', 'Error: conflict'] } } });

    const revoked = await as(alice, 'POST', `revokeInviteCode/{i}?groupJid=${group}`);
    expect(revoked.status).toBe(201);
    expect(revoked.body).toEqual({ revoked: true, inviteCode: expect.stringMatching(/^[A-Za-z0-9]{22}$/) });
    expect(revoked.body.inviteCode).not.toBe(code);
    expect((await as(alice, 'GET', `inviteCode/{i}?groupJid=${group}`)).body.inviteCode).toBe(revoked.body.inviteCode);
    expect(await as(bob, 'GET', `inviteInfo/{i}?inviteCode=${code}`)).toMatchObject({ status: 404, body: { response: { message: ['No invite info', code] } } });
  });

  it('settings: locked lets only admins edit, promote makes an admin, every change reaches every member', async () => {
    const locked = await as(alice, 'POST', 'updateSetting/{i}', { groupJid: group, action: 'locked' });
    expect(locked).toMatchObject({ status: 201, body: {} });
    for (const m of [alice, bob, carol]) expect(await groupUpdate(m, group, 'restrict', true)).toEqual([{ id: group, restrict: true, author: jid(alice.number) }]);

    expect(await as(bob, 'POST', 'updateGroupSubject/{i}', { groupJid: group, subject: 'Mine' })).toMatchObject({ status: 500, body: { status: 500, error: 'Internal Server Error', response: { message: ['Error updating group subject', 'Error: not-authorized'] } } });
    expect(await as(bob, 'POST', 'updateSetting/{i}', { groupJid: group, action: 'unlocked' })).toMatchObject({ status: 400, body: { response: { message: ['Error updating setting', 'Error: not-authorized'] } } });
    expect(await as(bob, 'POST', 'updateParticipant/{i}', { groupJid: group, action: 'promote', participants: [bob.number] })).toMatchObject({ status: 400, body: { response: { message: ['Error updating participants', 'Error: not-authorized'] } } });

    const promoted = await as(alice, 'POST', 'updateParticipant/{i}', { groupJid: group, action: 'promote', participants: [bob.number, '5511977779999'] });
    expect(promoted).toMatchObject({ status: 201, body: { updateParticipants: [{ status: '200', jid: jid(bob.number) }, { status: '404', jid: jid('5511977779999') }] } });
    for (const m of [alice, bob, carol]) expect(await participantsUpdate(m, group, 'promote', [jid(bob.number)])).toMatchObject({ id: group, author: jid(alice.number), action: 'promote' });

    // Bob is an admin now: the group id without @g.us works too, and from the query.
    expect(await as(bob, 'POST', `updateGroupSubject/{i}?groupJid=${group.replace('@g.us', '')}`, { subject: 'Renamed' })).toMatchObject({ status: 201, body: { update: 'success' } });
    for (const m of [alice, bob, carol]) expect(await groupUpdate(m, group, 'subject', 'Renamed')).toEqual([{ id: group, subject: 'Renamed', author: jid(bob.number) }]);
    expect(await as(bob, 'POST', 'updateGroupDescription/{i}', { groupJid: group, description: 'Renamed team' })).toMatchObject({ status: 201, body: { update: 'success' } });
    expect((await groupUpdate(carol, group, 'desc', 'Renamed team'))[0]).toMatchObject({ author: jid(bob.number) });
    expect(await as(bob, 'POST', 'toggleEphemeral/{i}', { groupJid: group, expiration: 604800 })).toMatchObject({ status: 201, body: { success: true } });
    for (const m of [alice, carol]) expect(await groupUpdate(m, group, 'ephemeralDuration', 604800)).toEqual([{ id: group, ephemeralDuration: 604800, author: jid(bob.number) }]);
    expect(await as(bob, 'POST', 'updateMemberAddMode/{i}', { groupJid: group, mode: 'admin_add' })).toMatchObject({ status: 201, body: { update: 'success', mode: 'admin_add' } });
    expect(await groupUpdate(alice, group, 'memberAddMode', false)).toEqual([{ id: group, memberAddMode: false, author: jid(bob.number) }]);
    expect(await as(carol, 'POST', 'updateParticipant/{i}', { groupJid: group, action: 'add', participants: ['5511977775555'] })).toMatchObject({ status: 400, body: { response: { message: ['Error updating participants', 'Error: not-authorized'] } } });

    const infos = await as(carol, 'GET', `findGroupInfos/{i}?groupJid=${group}`);
    expect(infos.status).toBe(200);
    expect(Object.keys(infos.body)).toEqual(GROUP_INFO_KEYS);
    expect(infos.body).toMatchObject({ id: group, subject: 'Renamed', subjectOwner: jid(bob.number), pictureUrl: null, size: 4, owner: jid(alice.number), desc: 'Renamed team', restrict: true, announce: false, isCommunity: false, isCommunityAnnounce: false });
    expect(infos.body.participants).toEqual([
      { id: jid(alice.number), admin: 'superadmin' }, { id: jid(bob.number), admin: 'admin' }, { id: jid(dora), admin: null }, { id: jid(carol.number), admin: null },
    ]);
    const list = await as(carol, 'GET', 'fetchAllGroups/{i}?getParticipants=false');
    expect(list.status).toBe(200);
    expect(list.body).toEqual([Object.fromEntries(Object.entries(infos.body).filter(([k]) => k !== 'participants'))]);
    const full = await as(carol, 'GET', 'fetchAllGroups/{i}?getParticipants=true');
    expect(full.body).toEqual([infos.body]);
    const members = await as(alice, 'GET', `participants/{i}?groupJid=${group}`);
    expect(members.status).toBe(200);
    expect(members.body.participants.map((p: any) => [p.id, p.admin])).toEqual(infos.body.participants.map((p: any) => [p.id, p.admin]));
  });

  it('messages fan out to the members with the sender as participant; announcement groups take only admins', async () => {
    const sent = await server.call('POST', '/message/sendText/alice', { number: group, text: 'hello team' }, alice.token);
    expect(sent.status).toBe(201);
    expect(sent.body.key).toEqual({ remoteJid: group, fromMe: true, id: sent.body.key.id });
    for (const m of [bob, carol]) {
      const upsert = await next(m, 'messages.upsert', (d) => d.key.id === sent.body.key.id);
      expect(upsert.key).toEqual({ remoteJid: group, fromMe: false, id: sent.body.key.id, participant: jid(alice.number) });
      expect(upsert).toMatchObject({ pushName: 'Alice', message: { conversation: 'hello team' }, messageType: 'conversation', messageTimestamp: sent.body.messageTimestamp, instanceId: m.instanceId });
    }

    expect(await as(alice, 'POST', 'updateSetting/{i}', { groupJid: group, action: 'announcement' })).toMatchObject({ status: 201 });
    expect(await groupUpdate(carol, group, 'announce', true)).toEqual([{ id: group, announce: true, author: jid(alice.number) }]);
    const refused = await server.call('POST', '/message/sendText/carol', { number: group, text: 'may I?' }, carol.token);
    expect(refused.status).toBe(400);
    expect(refused.body.response.message).toEqual(['not-authorized']);
    const fromBob = await server.call('POST', '/message/sendText/bob', { number: group, text: 'admins only' }, bob.token);
    expect(fromBob.status).toBe(201);
    const atCarol = await next(carol, 'messages.upsert', (d) => d.key.id === fromBob.body.key.id);
    expect(atCarol.key.participant).toBe(jid(bob.number));

    // A simulated contact who is admin writes, renames and removes someone: the instances' webhooks react.
    await as(alice, 'POST', 'updateSetting/{i}', { groupJid: group, action: 'not_announcement' });
    expect(await server.call('POST', '/sandbox/groupMessage/alice', { groupJid: group, from: dora, pushName: 'Dora', text: 'hi from Dora' })).toMatchObject({ status: 201 });
    for (const m of [alice, bob, carol]) {
      const upsert = await next(m, 'messages.upsert', (d) => d.message?.conversation === 'hi from Dora');
      expect(upsert.key).toMatchObject({ remoteJid: group, fromMe: false, participant: jid(dora) });
      expect(upsert.pushName).toBe('Dora');
    }
    expect((await server.call('POST', '/sandbox/groupInfo/alice', { groupJid: group, from: dora, subject: 'By Dora' })).body.response.message).toEqual(['not-authorized']);
    await as(alice, 'POST', 'updateParticipant/{i}', { groupJid: group, action: 'promote', participants: [dora] });
    const renamed = await server.call('POST', '/sandbox/groupInfo/alice', { groupJid: group, from: dora, subject: 'By Dora', description: 'Dora was here' });
    expect(renamed).toMatchObject({ status: 201, body: { id: group, subject: 'By Dora', subjectOwner: jid(dora), desc: 'Dora was here' } });
    for (const m of [alice, bob, carol]) expect(await groupUpdate(m, group, 'subject', 'By Dora')).toEqual([{ id: group, subject: 'By Dora', author: jid(dora) }]);
    const kicked = await server.call('POST', '/sandbox/groupParticipants/alice', { groupJid: group, from: dora, action: 'remove', participants: [bob.number] });
    expect(kicked).toMatchObject({ status: 201, body: { updateParticipants: [{ status: '200', jid: jid(bob.number) }] } });
    for (const m of [alice, bob, carol]) expect(await participantsUpdate(m, group, 'remove', [jid(bob.number)])).toMatchObject({ author: jid(dora), action: 'remove' });
    expect((await as(bob, 'GET', `findGroupInfos/{i}?groupJid=${group}`)).body.response.message).toEqual(['Error fetching group', 'Error: forbidden']);
    // The creator cannot be removed.
    const notCreator = await server.call('POST', '/sandbox/groupParticipants/alice', { groupJid: group, from: dora, action: 'remove', participants: [alice.number] });
    expect(notCreator.body.updateParticipants).toEqual([{ status: '403', jid: jid(alice.number) }]);
  });

  it('leave: the member is told, and members who left stop receiving the group', async () => {
    const left = await as(carol, 'DELETE', `leaveGroup/{i}?groupJid=${group}`);
    expect(left).toMatchObject({ status: 200, body: { groupJid: group, leave: true } });
    for (const m of [alice, carol]) {
      expect(await participantsUpdate(m, group, 'remove', [jid(carol.number)])).toEqual({
        id: group, author: jid(carol.number), participants: [jid(carol.number)], action: 'remove', participantsData: [{ jid: jid(carol.number), phoneNumber: carol.number }],
      });
    }
    const after = await server.call('POST', '/message/sendText/alice', { number: group, text: 'after carol left' }, alice.token);
    expect(after.status).toBe(201);
    await next(alice, 'messages.update', (d) => d.keyId === after.body.key.id && d.status === 'SERVER_ACK');
    await new Promise((r) => setTimeout(r, 150));
    expect(carol.hook.events('messages.upsert').filter((r) => r.body.data.key.id === after.body.key.id)).toHaveLength(0);
    expect(bob.hook.events('messages.upsert').filter((r) => r.body.data.key.id === after.body.key.id)).toHaveLength(0);
    const notMember = await server.call('POST', '/message/sendText/carol', { number: group, text: 'still here?' }, carol.token);
    expect(notMember.status).toBe(400);
    expect(await as(carol, 'GET', 'fetchAllGroups/{i}?getParticipants=false')).toMatchObject({ status: 200, body: [] });
    expect(await as(carol, 'DELETE', `leaveGroup/{i}?groupJid=${group}`)).toMatchObject({ status: 400, body: { response: { message: ['Unable to leave the group', 'Error: forbidden'] } } });
  });
}, 60_000);
