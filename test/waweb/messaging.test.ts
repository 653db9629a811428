import { WAMessageStatus, WAMessageStubType } from 'baileys';
import { connect } from '../../sim/waweb/client.js';
import { afterEach, describe, expect, it } from 'vitest';
import { expectNoHiddenFailure, linkInstance, textOf, type Linked } from './messaging-harness.js';

const ME = '15550001111';
const ME_JID = `${ME}@s.whatsapp.net`;

describe('the real baileys library against the simulator: 1:1 messages', () => {
  let l: Linked | undefined;
  afterEach(async () => {
    await l?.stop();
    l = undefined;
  });

  it('receives a contact text as messages.upsert, first pkmsg then msg, decrypted', async () => {
    l = await linkInstance(ME);
    const alice = l.sim.contact('15550002222', 'Alice');
    const first = await alice.sendText(ME_JID, 'hello from alice');
    const second = await alice.sendText(ME_JID, 'and again');
    await expect.poll(() => l!.upserts.map(textOf)).toEqual(expect.arrayContaining(['hello from alice', 'and again']));
    const got = l.upserts.find((m) => m.key.id === first)!;
    expect(got.key.fromMe).toBe(false);
    expect(got.key.remoteJid).toBe(alice.jid);
    expect(got.pushName).toBe('Alice');
    // the library acknowledged both with a delivery receipt
    await expect.poll(() => alice.receipts.map((r) => r.id)).toEqual(expect.arrayContaining([first, second]));
    expectNoHiddenFailure(l);
  });

  it('sends a text the contact decrypts, and gets DELIVERY_ACK then READ as messages.update', async () => {
    l = await linkInstance(ME);
    const bob = l.messaging.contact('15550003333', 'Bob');
    const sent = await l.client.sock.sendMessage(bob.jid, { text: 'hi bob' });
    const got = await bob.waitFor('hi bob');
    expect(got.key.id).toBe(sent!.key.id);
    expect(got.sender).toBe(ME_JID);
    const statusOf = (s: number) => l!.updates.some((u) => u.key.id === sent!.key.id && u.update.status === s);
    await expect.poll(() => statusOf(WAMessageStatus.DELIVERY_ACK)).toBe(true);
    // a read within the library's 100 ms upsert debounce is folded into the upsert: read once it is out
    await expect.poll(() => l!.upserts.some((m) => m.key.id === sent!.key.id)).toBe(true);
    await bob.read(got.key);
    await expect.poll(() => statusOf(WAMessageStatus.READ)).toBe(true);
    // the session holds: a second message is a plain msg the contact decrypts too
    await l.client.sock.sendMessage(bob.jid, { text: 'second' });
    await bob.waitFor('second');
    expectNoHiddenFailure(l);
  });

  it('records the retry receipt for a message the instance cannot decrypt (drill)', async () => {
    l = await linkInstance(ME);
    const carol = l.messaging.contact('15550004444', 'Carol');
    const id = await l.messaging.sendUndecryptable(carol, ME_JID);
    const retry = await l.messaging.retries.next(id);
    expect(retry.to).toBe(carol.jid);
    expect(retry.from).toBe(l.client.sock.user!.id);
  });

  it('recovers from a Bad MAC: the retry receipt makes the contact resend on a new session', async () => {
    l = await linkInstance(ME);
    const dave = l.messaging.contact('15550005555', 'Dave');
    await dave.sendText(ME_JID, 'one');
    await expect.poll(() => l!.upserts.map(textOf)).toContain('one');
    l.messaging.corruptNextMessage(dave);
    const id = await dave.sendText(ME_JID, 'two');
    const retry = await l.messaging.retries.next(id);
    expect(retry.count).toBe(1);
    await expect.poll(() => l!.upserts.some((m) => m.key.id === id && textOf(m) === 'two')).toBe(true);
    expect(dave.resent.map((r) => r.id)).toEqual([id]);
    expect(l.messaging.retries.seen).toHaveLength(1);
    expect(dave.failures).toEqual([]);
    expect(l.sim.unanswered()).toEqual([]);
    expect(l.sim.unhandled()).toEqual([]);
    expect(l.sim.errors).toEqual([]);
  });

  it('talks over LIDs: a LID-addressed contact, and a send to its @lid JID', async () => {
    l = await linkInstance(ME);
    const erin = l.messaging.contact('15550006666', 'Erin');
    erin.addressing = 'lid';
    const id = await erin.sendText(ME_JID, 'via lid');
    await expect.poll(() => l!.upserts.some((m) => m.key.id === id)).toBe(true);
    const got = l.upserts.find((m) => m.key.id === id)!;
    expect(textOf(got)).toBe('via lid');
    expect(got.key.remoteJid).toBe(erin.lidJid);
    expect(got.key.remoteJidAlt).toBe(erin.jid);
    const sent = await l.client.sock.sendMessage(erin.lidJid, { text: 'reply via lid' });
    const reply = await erin.waitFor('reply via lid');
    expect(reply.key.id).toBe(sent!.key.id);
    await expect.poll(() =>
      l!.updates.some((u) => u.key.id === sent!.key.id && u.key.remoteJid === erin.lidJid && u.update.status === WAMessageStatus.DELIVERY_ACK),
    ).toBe(true);
    expectNoHiddenFailure(l);
  });

  it('gets what a contact sent while it was offline once it logs in again, without a QR', async () => {
    l = await linkInstance(ME);
    const frank = l.messaging.contact('15550007777', 'Frank');
    l.client.sock.end(undefined);
    await l.client.closed();
    const id = await frank.sendText(ME_JID, 'while you were away');
    expect(l.messaging.offline.size).toBe(1);
    const again = await connect(l.sim, l.auth);
    const upserts: { id: string; text?: string; type: string }[] = [];
    again.sock.ev.on('messages.upsert', ({ messages, type }) => {
      for (const m of messages) upserts.push({ id: m.key.id!, text: textOf(m), type });
    });
    l.client = again;
    await again.until((u) => u.connection === 'open');
    await expect.poll(() => upserts.find((u) => u.id === id)).toEqual({ id, text: 'while you were away', type: 'append' });
    expect(l.messaging.offline.size).toBe(0);
    await expect.poll(() => frank.receipts.some((r) => r.id === id)).toBe(true);
    expectNoHiddenFailure(l);
  });

  it('follows a contact that reinstalled: identity notification, new session both ways', async () => {
    l = await linkInstance(ME);
    const gina = l.messaging.contact('15550008888', 'Gina');
    await l.client.sock.sendMessage(gina.jid, { text: 'before' });
    await gina.waitFor('before');
    await l.messaging.resetIdentity(gina);
    // the library refetched gina's bundle from her new identity
    await expect.poll(() => gina.signal.bundlesHandedOut).toBeGreaterThan(0);
    await l.client.sock.sendMessage(gina.jid, { text: 'after' });
    await gina.waitFor('after');
    const id = await gina.sendText(ME_JID, 'new phone, who dis');
    await expect.poll(() => l!.upserts.some((m) => m.key.id === id && textOf(m) === 'new phone, who dis')).toBe(true);
    expectNoHiddenFailure(l);
  });

  it('resends when the contact cannot decrypt: the contact\'s retry receipt with keys, then a new session', async () => {
    l = await linkInstance(ME);
    const hugo = l.messaging.contact('15550001234', 'Hugo');
    await l.client.sock.sendMessage(hugo.jid, { text: 'first' });
    await hugo.waitFor('first');
    // a reinstall nobody was told about: the library still encrypts on the old session
    await l.messaging.resetIdentity(hugo, { notify: false });
    const sent = await l.client.sock.sendMessage(hugo.jid, { text: 'lost then found' });
    const got = await hugo.waitFor('lost then found');
    expect(got.key.id).toBe(sent!.key.id);
    expect(hugo.failures.map((f) => f.id)).toEqual([sent!.key.id]);
    expect([...hugo.retriesSent]).toEqual([[sent!.key.id, 1]]);
    expect(l.messaging.retries.seen).toEqual([]);
    expect(l.sim.unanswered()).toEqual([]);
    expect(l.sim.errors).toEqual([]);
  });

  it('gets a contact\'s reaction, edit and delete as the library\'s reaction and update events', async () => {
    l = await linkInstance(ME);
    const ivy = l.messaging.contact('15550004321', 'Ivy');
    const reactions: { id?: string | null; text?: string | null }[] = [];
    l.client.sock.ev.on('messages.reaction', (rs) => void reactions.push(...rs.map((r) => ({ id: r.key.id, text: r.reaction.text }))));
    const mine = await l.client.sock.sendMessage(ivy.jid, { text: 'react to this' });
    await ivy.waitFor('react to this');
    await ivy.react(ME_JID, mine!.key.id!, '👍');
    await expect.poll(() => reactions).toContainEqual({ id: mine!.key.id, text: '👍' });

    const id = await ivy.sendText(ME_JID, 'tpyo');
    await ivy.edit(ME_JID, id, 'typo');
    await expect.poll(() =>
      l!.updates.find((u) => u.key.id === id && u.update.message?.editedMessage)?.update.message?.editedMessage?.message?.conversation,
    ).toBe('typo');
    await ivy.revoke(ME_JID, id);
    await expect.poll(() => l!.updates.some((u) => u.key.id === id && u.update.messageStubType === WAMessageStubType.REVOKE)).toBe(true);
    expectNoHiddenFailure(l);
  });

  it('answers onWhatsApp from the registry: contacts are in, unknown numbers are not', async () => {
    l = await linkInstance(ME);
    const jane = l.messaging.contact('15550003456', 'Jane');
    const found = await l.client.sock.onWhatsApp(jane.jid, '15559990000@s.whatsapp.net');
    expect(found).toEqual([{ jid: jane.jid, exists: true }]);
    expectNoHiddenFailure(l);
  });
});
