import { beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server.js';
import { groupUpdate, participantsUpdate, jid, twoMembers, type Member } from './helpers.js';

describe('groupsIgnore: an instance that ignores groups gets none of their events or messages', () => {
  const world = twoMembers(['5511944440001', '5511944440002']);
  let server: TestServer;
  let alice: Member;
  let bob: Member;
  beforeAll(() => void ({ server, alice, bob } = world));

  it('still makes bob a member, but his webhook hears nothing of the group', async () => {
    const settings = { rejectCall: false, groupsIgnore: true, alwaysOnline: false, readMessages: false, readStatus: false, syncFullHistory: false };
    expect((await server.call('POST', '/settings/set/bob', settings, bob.token)).status).toBe(201);
    const group = (await server.call('POST', '/group/create/alice', { subject: 'Quiet', participants: [bob.number] }, alice.token)).body.id;
    await server.call('POST', '/group/updateGroupSubject/alice', { groupJid: group, subject: 'Still quiet' }, alice.token);
    await server.call('POST', '/group/updateParticipant/alice', { groupJid: group, action: 'promote', participants: [bob.number] }, alice.token);
    const sent = await server.call('POST', '/message/sendText/alice', { number: group, text: 'anyone?' }, alice.token);
    expect(sent.status).toBe(201);
    // Alice hears all of it; by then bob's gateway has taken (and dropped) his copies.
    await groupUpdate(alice, group, 'subject', 'Still quiet');
    await participantsUpdate(alice, group, 'promote', [jid(bob.number)]);
    await new Promise((r) => setTimeout(r, 200));
    const heard = bob.hook.received.map((r) => r.body.event).filter((e) => e.startsWith('group') || e === 'messages.upsert');
    expect(heard).toEqual([]);
    expect((await server.call('GET', `/group/findGroupInfos/bob?groupJid=${group}`, undefined, bob.token)).body.participants).toContainEqual({ id: jid(bob.number), admin: 'admin' });
  });
}, 30_000);
