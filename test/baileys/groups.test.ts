import { afterEach, describe, expect, it } from 'vitest';
import { startBench, type BaileysBench } from './harness.js';

const PHONE = '15550001111';
const ME = `${PHONE}@s.whatsapp.net`;

describe('WHATSAPP-BAILEYS group routes, through the library\'s group queries on the simulator', { timeout: 120_000 }, () => {
  let b: BaileysBench | undefined;
  afterEach(async () => {
    await b?.stop();
    b = undefined;
  });

  it('create, read, rename, add a member, invite code and revoke, announcement setting, leave', async () => {
    b = await startBench();
    const { token } = await b.link('grp', PHONE);
    const call = (method: string, path: string, body?: unknown) => b!.server.call(method, path, body, token);
    const alice = b.messaging.contact('15550002222', 'Alice');
    const bob = b.messaging.contact('15550003333', 'Bob');

    const created = await call('POST', '/group/create/grp', { subject: 'Team', participants: [alice.phone] });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const jid = created.body.id as string;
    expect(jid).toMatch(/@g\.us$/);
    expect(created.body.participants.map((p: any) => p.id).sort()).toEqual([ME, alice.jid].sort());

    const info = await call('GET', `/group/findGroupInfos/grp?groupJid=${jid}`);
    expect(info.status).toBe(200);
    expect(info.body).toMatchObject({ id: jid, subject: 'Team', size: 2 });

    expect((await call('POST', `/group/updateGroupSubject/grp?groupJid=${jid}`, { groupJid: jid, subject: 'Team 2' })).status).toBe(201);
    expect((await call('GET', `/group/findGroupInfos/grp?groupJid=${jid}`)).body.subject).toBe('Team 2');

    const added = await call('POST', `/group/updateParticipant/grp?groupJid=${jid}`, { groupJid: jid, action: 'add', participants: [bob.phone] });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    expect(JSON.stringify(added.body)).toContain(bob.jid);
    await b.waitEvent('grp', 'group-participants.update', (d) => d.id === jid && d.action === 'add');
    expect((await call('GET', `/group/findGroupInfos/grp?groupJid=${jid}`)).body.size).toBe(3);

    const code = await call('GET', `/group/inviteCode/grp?groupJid=${jid}`);
    expect(code.status).toBe(200);
    const revoked = await call('POST', `/group/revokeInviteCode/grp?groupJid=${jid}`, { groupJid: jid });
    expect(revoked.status).toBe(201);
    expect(JSON.stringify(revoked.body)).not.toContain(JSON.stringify(code.body.inviteCode));

    expect((await call('POST', `/group/updateSetting/grp?groupJid=${jid}`, { groupJid: jid, action: 'announcement' })).status).toBe(201);
    expect((await call('GET', `/group/findGroupInfos/grp?groupJid=${jid}`)).body.announce).toBe(true);

    const all = await call('GET', '/group/fetchAllGroups/grp?getParticipants=false');
    expect(all.body.map((g: any) => g.id)).toContain(jid);

    expect((await call('DELETE', `/group/leaveGroup/grp?groupJid=${jid}`)).status).toBe(200);
    const after = await call('GET', '/group/fetchAllGroups/grp?getParticipants=false');
    expect(after.body.map((g: any) => g.id)).not.toContain(jid);
    expect(b.sim.errors).toEqual([]);
  });
});
