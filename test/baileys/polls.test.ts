import { sha256 } from 'baileys';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/server.js';
import { startBench, type BaileysBench } from './harness.js';

const PHONE = '15550001111';
const ME = `${PHONE}@s.whatsapp.net`;
const tally = (jids: { pizza?: string[]; sushi?: string[]; salad?: string[] }) => [
  { name: 'pizza', voters: jids.pizza ?? [] },
  { name: 'sushi', voters: jids.sushi ?? [] },
  { name: 'salad', voters: jids.salad ?? [] },
];

/** Votes are encrypted by the contact's phone with the poll's secret; the gateway decrypts them with the library's helpers. */
describe('WHATSAPP-BAILEYS poll votes through the gateway, on the simulator', { timeout: 120_000 }, () => {
  let b: BaileysBench | undefined;
  afterEach(async () => {
    await b?.stop();
    b = undefined;
  });

  it("a contact's vote (and its change) reaches the webhook as messages.update with pollUpdates and /chat/getPollVote, as on the sandbox", async () => {
    b = await startBench();
    const { token } = await b.link('polls', PHONE);
    const alice = b.messaging.contact('15550002222', 'Alice');
    const sent = await b.server.call('POST', '/message/sendPoll/polls', { number: alice.phone, name: 'Lunch?', selectableCount: 1, values: ['pizza', 'sushi', 'salad'] }, token);
    expect(sent.status).toBe(201);
    const pollId: string = sent.body.key.id;
    const poll = await alice.waitFor((m) => m.key.id === pollId);
    expect(poll.message.pollCreationMessage?.name).toBe('Lunch?');
    expect(poll.message.messageContextInfo?.messageSecret?.length).toBe(32);
    const found = await b.server.call('POST', '/chat/findMessages/polls', { where: { key: { id: pollId } } });
    const rowId = found.body.messages.records[0].id;

    const voteId = await alice.vote(poll, ['sushi']);
    const first = await b.waitEvent('polls', 'messages.update', (d) => d.keyId === pollId && d.pollUpdates);
    expect(first.body.data).toEqual({ keyId: pollId, remoteJid: alice.jid, fromMe: true, status: expect.any(String), pollUpdates: tally({ sushi: [alice.jid] }), instanceId: expect.any(String), messageId: rowId });
    // The vote is an update of the poll, never a message of its own.
    expect((await b.server.call('POST', '/chat/findMessages/polls', { where: { key: { id: voteId } } }, token)).body.messages.total).toBe(0);
    expect(b.hook.events('messages.upsert').some((r) => r.body.data.key?.id === voteId)).toBe(false);

    await alice.vote(poll, ['pizza']);
    const second = await b.waitEvent('polls', 'messages.update', (d) => d.keyId === pollId && d.pollUpdates?.[0].voters.length === 1);
    expect(second.body.data.pollUpdates).toEqual(tally({ pizza: [alice.jid] }));
    const tallied = await b.server.call('POST', '/chat/getPollVote/polls', { message: { key: { id: pollId } }, remoteJid: alice.phone }, token);
    expect(tallied.status).toBe(200);
    expect(tallied.body).toEqual({ poll: { name: 'Lunch?', totalVotes: 1, results: { pizza: { votes: 1, voters: [alice.jid] }, sushi: { votes: 0, voters: [] }, salad: { votes: 0, voters: [] } } } });

    // A vote sealed with another secret is dropped (counted nowhere, stored nowhere), not guessed.
    const forged = { ...poll, message: { ...poll.message, messageContextInfo: { messageSecret: new Uint8Array(32).fill(7) } } };
    const forgedId = await alice.vote(forged, ['salad']);
    await alice.sendText(ME, 'after the forged vote');
    await b.waitEvent('polls', 'messages.upsert', (d) => d.message?.conversation === 'after the forged vote');
    expect(b.hook.events('messages.update').filter((r) => r.body.data.keyId === pollId && r.body.data.pollUpdates?.[2].voters.length)).toEqual([]);
    expect((await b.server.call('POST', '/chat/findMessages/polls', { where: { key: { id: forgedId } } }, token)).body.messages.total).toBe(0);

    // A library release that decrypts votes itself emits messages.update with pollUpdates: read the same way.
    const dora = '15550009999@s.whatsapp.net';
    b.channel('polls').socket!.ev.emit('messages.update', [
      { key: { remoteJid: alice.jid, fromMe: true, id: pollId }, update: { pollUpdates: [{ pollUpdateMessageKey: { remoteJid: dora, fromMe: false, id: 'VOTE1' }, vote: { selectedOptions: [sha256(Buffer.from('sushi'))] }, senderTimestampMs: Date.now() }] } },
    ]);
    const emitted = await b.waitEvent('polls', 'messages.update', (d) => d.keyId === pollId && d.pollUpdates?.[1].voters.includes(dora));
    expect(emitted.body.data.pollUpdates).toEqual(tally({ pizza: [alice.jid], sushi: [dora] }));

    // A LID-addressed contact's vote is bound to its LID: decrypted all the same, its voter given by phone number.
    const erin = b.messaging.contact('15550006666', 'Erin');
    erin.addressing = 'lid';
    const multi = await b.server.call('POST', '/message/sendPoll/polls', { number: erin.phone, name: 'Days?', selectableCount: 0, values: ['mon', 'tue', 'wed'] }, token);
    const erinPoll = await erin.waitFor((m) => m.key.id === multi.body.key.id);
    await erin.vote(erinPoll, ['mon', 'wed']);
    const erinVote = await b.waitEvent('polls', 'messages.update', (d) => d.keyId === multi.body.key.id && d.pollUpdates);
    expect(erinVote.body.data.pollUpdates).toEqual([
      { name: 'mon', voters: [erin.jid] },
      { name: 'tue', voters: [] },
      { name: 'wed', voters: [erin.jid] },
    ]);
    // Taken back: no option counts any more.
    await erin.vote(erinPoll, []);
    await waitFor(async () => (await b!.server.call('POST', '/chat/getPollVote/polls', { message: { key: { id: multi.body.key.id } }, remoteJid: erin.phone }, token)).body.poll?.totalVotes === 0, 10_000, 'vote withdrawn');
    expect(b.sim.errors).toEqual([]);
  });

  it('in a group, each member votes through its sender key; the tally names every voter', async () => {
    b = await startBench();
    const { token } = await b.link('gpolls', PHONE);
    const alice = b.messaging.contact('15550002222', 'Alice');
    const carl = b.messaging.contact('15550003344', 'Carl');
    const group = await b.messaging.createGroup('Team', PHONE, [alice.phone, carl.phone]);
    await b.waitEvent('gpolls', 'groups.upsert', (d) => (Array.isArray(d) ? d : [d]).some((g: any) => g.id === group));
    const sent = await b.server.call('POST', '/message/sendPoll/gpolls', { number: group, name: 'Where?', selectableCount: 1, values: ['pizza', 'sushi', 'salad'] }, token);
    expect(sent.status).toBe(201);
    const id: string = sent.body.key.id;
    const [a, c] = await Promise.all([alice.waitFor((m) => m.key.id === id), carl.waitFor((m) => m.key.id === id)]);
    expect(a.key).toMatchObject({ remoteJid: group, participant: ME });
    await alice.vote(a, ['pizza']);
    await carl.vote(c, ['salad']);
    const both = await b.waitEvent('gpolls', 'messages.update', (d) => d.keyId === id && d.pollUpdates?.[0].voters.length === 1 && d.pollUpdates?.[2].voters.length === 1);
    expect(both.body.data).toMatchObject({ keyId: id, remoteJid: group, fromMe: true, pollUpdates: tally({ pizza: [alice.jid], salad: [carl.jid] }) });
    const tallied = await b.server.call('POST', '/chat/getPollVote/gpolls', { message: { key: { id } }, remoteJid: group }, token);
    expect(tallied.body.poll).toMatchObject({ name: 'Where?', totalVotes: 2, results: { pizza: { votes: 1, voters: [alice.jid] }, salad: { votes: 1, voters: [carl.jid] } } });
    expect(b.sim.errors).toEqual([]);
  });
});
