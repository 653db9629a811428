import { afterEach, describe, expect, it } from 'vitest';
import { expectNoHiddenFailure, linkInstance, textOf, type Linked } from './messaging-harness.js';

const ME = '15550001111';
const ME_JID = `${ME}@s.whatsapp.net`;

describe('the real baileys library against the simulator: groups (sender keys)', () => {
  let l: Linked | undefined;
  afterEach(async () => {
    await l?.stop();
    l = undefined;
  });

  it('sends and receives group messages with the contacts, skmsg both ways', async () => {
    l = await linkInstance(ME);
    const alice = l.messaging.contact('15550002222', 'Alice');
    const bob = l.messaging.contact('15550003333', 'Bob');
    const group = await l.messaging.createGroup('Team', ME, [alice.phone, bob.phone]);
    // the server told the instance about the new group
    await expect.poll(() => l!.groupEvents.some((e) => e.event === 'groups.upsert' && e.ids.includes(group))).toBe(true);

    const meta = await l.client.sock.groupMetadata(group);
    expect(meta.subject).toBe('Team');
    expect(meta.participants.map((p) => p.id).sort()).toEqual([ME_JID, alice.jid, bob.jid].sort());

    // instance -> group: each contact gets the sender key pairwise, then decrypts the skmsg
    for (const text of ['hello team', 'still here']) {
      const sent = await l.client.sock.sendMessage(group, { text });
      for (const c of [alice, bob]) {
        const got = await c.waitFor(text);
        expect(got.key).toEqual({ id: sent!.key.id, remoteJid: group, participant: ME_JID });
      }
    }
    // a member's read receipt comes back as message-receipt.update for that member
    const last = await alice.waitFor('still here');
    await expect.poll(() => l!.upserts.some((m) => m.key.id === last.key.id)).toBe(true);
    await alice.read(last.key);
    await expect.poll(() =>
      l!.receipts.some((r) => r.key.id === last.key.id && r.receipt.userJid === alice.jid && !!r.receipt.readTimestamp),
    ).toBe(true);

    // contact -> group: the library takes alice's sender key from the pkmsg, then decrypts the skmsg
    const first = await alice.sendText(group, 'hi from alice');
    const second = await alice.sendText(group, 'alice again');
    await expect.poll(() => l!.upserts.filter((m) => m.key.remoteJid === group).map(textOf)).toEqual(
      expect.arrayContaining(['hi from alice', 'alice again']),
    );
    const got = l.upserts.find((m) => m.key.id === first)!;
    expect(got.key.participant).toBe(alice.jid);
    expect(got.key.fromMe).toBe(false);
    // bob, a member too, decrypted alice's messages with her sender key
    await bob.waitFor('alice again');
    await expect.poll(() => alice.receipts.map((r) => r.id)).toEqual(expect.arrayContaining([first, second]));
    // and the instance's read receipt for it reaches alice
    await l.client.sock.readMessages([got.key]);
    await expect.poll(() => alice.receipts.some((r) => r.id === first && r.type === 'read')).toBe(true);
    expectNoHiddenFailure(l);
  });

  it('creates a group, renames it, adds and removes members, and the fan-out follows', async () => {
    l = await linkInstance(ME);
    const alice = l.messaging.contact('15550002222', 'Alice');
    const bob = l.messaging.contact('15550003333', 'Bob');
    const created = await l.client.sock.groupCreate('Made here', [alice.jid]);
    expect(created.participants.map((p) => p.id).sort()).toEqual([ME_JID, alice.jid].sort());
    expect(created.owner).toBe(ME_JID);
    await l.client.sock.groupUpdateSubject(created.id, 'Renamed');
    expect((await l.client.sock.groupMetadata(created.id)).subject).toBe('Renamed');

    await l.client.sock.sendMessage(created.id, { text: 'only alice' });
    await alice.waitFor('only alice');
    expect(await l.client.sock.groupParticipantsUpdate(created.id, [bob.jid], 'add')).toEqual([
      expect.objectContaining({ status: '200', jid: bob.jid }),
    ]);
    await l.client.sock.groupParticipantsUpdate(created.id, [alice.jid], 'remove');
    await expect.poll(() => l!.groupEvents.filter((e) => e.event === 'group-participants.update').map((e) => e.action)).toEqual(['add', 'remove']);
    // the library asks for the metadata again (no cache by default) and sends bob the sender key
    await l.client.sock.sendMessage(created.id, { text: 'bob joined' });
    await bob.waitFor('bob joined');
    expect(alice.received().map((m) => m.text)).not.toContain('bob joined');
    expect(Object.keys(await l.client.sock.groupFetchAllParticipating())).toEqual([created.id]);
    expectNoHiddenFailure(l);
  });

  it('recovers a group message that came without the sender key: retry receipt, pairwise resend with the key', async () => {
    l = await linkInstance(ME);
    const alice = l.messaging.contact('15550002222', 'Alice');
    const group = await l.messaging.createGroup('Lossy', alice.phone, [ME]);
    l.messaging.withholdNextSenderKey(alice);
    const id = await alice.sendText(group, 'can you read me');
    const retry = await l.messaging.retries.next(id);
    expect(retry.to).toBe(group);
    await expect.poll(() => l!.upserts.some((m) => m.key.id === id && textOf(m) === 'can you read me')).toBe(true);
    expect(alice.resent.map((r) => r.id)).toEqual([id]);
    // the library kept the sender key from the resend: the next skmsg decrypts at once
    const next = await alice.sendText(group, 'and now');
    await expect.poll(() => l!.upserts.some((m) => m.key.id === next && textOf(m) === 'and now')).toBe(true);
    expect(l.messaging.retries.seen).toHaveLength(1);
    expect(l.sim.unanswered()).toEqual([]);
    expect(l.sim.errors).toEqual([]);
    expect(alice.failures).toEqual([]);
  });

  it('changes settings, description, disappearing timer and invite code; metadata and members follow', async () => {
    l = await linkInstance(ME);
    const alice = l.messaging.contact('15550002222', 'Alice');
    const updates: object[] = [];
    l.client.sock.ev.on('groups.update', (u) => void updates.push(...u));
    const { id } = await l.client.sock.groupCreate('Settings', [alice.jid]);
    await l.client.sock.groupSettingUpdate(id, 'announcement');
    await l.client.sock.groupSettingUpdate(id, 'locked');
    await l.client.sock.groupUpdateDescription(id, 'what we do');
    await l.client.sock.groupToggleEphemeral(id, 86400);
    const meta = await l.client.sock.groupMetadata(id);
    expect(meta).toMatchObject({ announce: true, restrict: true, desc: 'what we do', ephemeralDuration: 86400 });
    await expect.poll(() => updates).toEqual(
      expect.arrayContaining([expect.objectContaining({ id, announce: true }), expect.objectContaining({ id, restrict: true })]),
    );
    const code = await l.client.sock.groupInviteCode(id);
    expect(code).toMatch(/^[\w-]{22}$/);
    const fresh = await l.client.sock.groupRevokeInvite(id);
    expect(fresh).not.toBe(code);
    // messages still flow after the changes
    const sent = await l.client.sock.sendMessage(id, { text: 'ephemeral now' });
    expect((await alice.waitFor('ephemeral now')).key.id).toBe(sent!.key.id);
    expectNoHiddenFailure(l);
  });

  it('a LID-addressed group: members by LID with their phone numbers, sender keys both ways', async () => {
    l = await linkInstance(ME);
    const alice = l.messaging.contact('15550002222', 'Alice');
    const group = await l.messaging.createGroup('By LID', ME, [alice.phone], { addressing: 'lid' });
    const meta = await l.client.sock.groupMetadata(group);
    expect(meta.addressingMode).toBe('lid');
    expect(meta.participants).toEqual(expect.arrayContaining([expect.objectContaining({ id: alice.lidJid, phoneNumber: alice.jid })]));
    const sent = await l.client.sock.sendMessage(group, { text: 'lid hello' });
    expect((await alice.waitFor('lid hello')).key.id).toBe(sent!.key.id);
    const id = await alice.sendText(group, 'lid reply');
    await expect.poll(() => l!.upserts.find((m) => m.key.id === id)).toBeDefined();
    const got = l.upserts.find((m) => m.key.id === id)!;
    expect(textOf(got)).toBe('lid reply');
    expect(got.key.participant).toBe(alice.lidJid);
    expect(got.key.participantAlt).toBe(alice.jid);
    expectNoHiddenFailure(l);
  });
});
