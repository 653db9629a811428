import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPair, type Pair } from './pair.js';

/** A poll goes to the peer as pollCreationMessage; votes come back to its creator as messages.update with pollUpdates. */
describe('polls and votes', () => {
  let p: Pair;
  const OUTSIDER = '5511988880002';
  const outsiderJid = `${OUTSIDER}@s.whatsapp.net`;
  let pollId: string;
  let pollRowId: string;
  beforeAll(async () => {
    p = await startPair('poll', ['5511930000001', '5511930000002']);
  });
  afterAll(async () => p?.stop());

  const vote = (from: string, options: string[], id = pollId) => p.server.call('POST', `/sandbox/vote/${p.a.name}`, { from, pollId: id, options });
  const tally = (pizza: string[], sushi: string[], salad: string[]) => [
    { name: 'pizza', voters: pizza },
    { name: 'sushi', voters: sushi },
    { name: 'salad', voters: salad },
  ];

  it('the peer receives the pollCreationMessage with its secret in messageContextInfo', async () => {
    const res = await p.as(p.a, 'POST', `/message/sendPoll/${p.a.name}`, { number: p.b.number, name: 'Lunch?', selectableCount: 1, values: ['pizza', 'sushi', 'salad'] });
    expect(res.status).toBe(201);
    pollId = res.body.key.id;
    expect(res.body).toMatchObject({ key: { remoteJid: p.b.jid, fromMe: true, id: pollId }, messageType: 'pollCreationMessage', status: 'PENDING', pushName: 'Você', instanceId: p.a.id });
    expect(res.body.message).toEqual({
      messageContextInfo: { messageSecret: expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/) },
      pollCreationMessage: { name: 'Lunch?', options: [{ optionName: 'pizza' }, { optionName: 'sushi' }, { optionName: 'salad' }], selectableOptionsCount: 1 },
    });
    const upsert = await p.b.waitFor('messages.upsert', (d) => d.key.id === pollId);
    expect(upsert).toMatchObject({ key: { remoteJid: p.a.jid, fromMe: false, id: pollId }, messageType: 'pollCreationMessage', pushName: p.a.profileName, instanceId: p.b.id, contextInfo: null });
    expect(upsert.message).toEqual(res.body.message);
    await p.a.waitFor('messages.update', (d) => d.keyId === pollId && d.status === 'DELIVERY_ACK');
    const found = await p.as(p.a, 'POST', `/chat/findMessages/${p.a.name}`, { where: { key: { id: pollId } } });
    pollRowId = found.body.messages.records[0].id;
  });

  it('the peer votes and changes its vote: each vote arrives as messages.update with the aggregated pollUpdates', async () => {
    expect((await vote(p.b.number, ['sushi'])).body).toEqual({ pollId, voter: p.b.jid, options: ['sushi'] });
    const first = await p.a.waitFor('messages.update', (d) => d.keyId === pollId && d.pollUpdates);
    expect(first).toEqual({ keyId: pollId, remoteJid: p.b.jid, fromMe: true, status: 'DELIVERY_ACK', pollUpdates: tally([], [p.b.jid], []), instanceId: p.a.id, messageId: pollRowId });
    // A new vote replaces the voter's previous one.
    await vote(p.b.number, ['pizza']);
    const second = await p.a.waitFor('messages.update', (d) => d.keyId === pollId && d.pollUpdates?.[0].voters.length === 1);
    expect(second.pollUpdates).toEqual(tally([p.b.jid], [], []));
    // In a chat with one person, only that person votes.
    expect((await vote(OUTSIDER, ['pizza'])).status).toBe(400);
  });

  it("the peer's own phone votes (castVote on the peer): the vote travels to the creator", async () => {
    const res = await p.server.call('POST', `/sandbox/castVote/${p.b.name}`, { pollId, options: ['salad'] });
    expect(res).toMatchObject({ status: 201, body: { pollId, voter: p.b.jid, options: ['salad'], deliveredTo: p.a.jid } });
    const update = await p.a.waitFor('messages.update', (d) => d.keyId === pollId && d.pollUpdates?.[2].voters.length === 1);
    expect(update).toEqual({ keyId: pollId, remoteJid: p.b.jid, fromMe: true, status: 'DELIVERY_ACK', pollUpdates: tally([], [], [p.b.jid]), instanceId: p.a.id, messageId: pollRowId });
    // The creator cannot cast a vote on its own poll this way, and the options are checked on the voter's copy.
    expect((await p.server.call('POST', `/sandbox/castVote/${p.a.name}`, { pollId, options: ['salad'] })).status).toBe(400);
    expect((await p.server.call('POST', `/sandbox/castVote/${p.b.name}`, { pollId, options: ['tacos'] })).body.response.message).toEqual(['Not an option of this poll: tacos']);
    // Back to pizza for the next test.
    await p.server.call('POST', `/sandbox/castVote/${p.b.name}`, { pollId, options: ['pizza'] });
    await p.a.waitFor('messages.update', (d) => d.keyId === pollId && d.pollUpdates?.[0].voters.length === 1 && d.pollUpdates?.[2].voters.length === 0);
  });

  it('getPollVote aggregates the stored votes', async () => {
    const res = await p.as(p.a, 'POST', `/chat/getPollVote/${p.a.name}`, { message: { key: { id: pollId } }, remoteJid: p.b.number });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ poll: { name: 'Lunch?', totalVotes: 1, results: { pizza: { votes: 1, voters: [p.b.jid] }, sushi: { votes: 0, voters: [] }, salad: { votes: 0, voters: [] } } } });
    // The peer's copy of the poll has no votes cast to it.
    const peer = await p.as(p.b, 'POST', `/chat/getPollVote/${p.b.name}`, { message: { key: { id: pollId } }, remoteJid: p.a.jid });
    expect(peer.body.poll.totalVotes).toBe(0);
  });

  it('in a group, every member votes; a withdrawn vote counts no more', async () => {
    const created = await p.as(p.a, 'POST', `/group/create/${p.a.name}`, { subject: 'Lunch club', participants: [p.b.number, OUTSIDER] });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const group: string = created.body.id;
    const res = await p.as(p.a, 'POST', `/message/sendPoll/${p.a.name}`, { number: group, name: 'Where?', selectableCount: 1, values: ['pizza', 'sushi', 'salad'] });
    expect(res.status).toBe(201);
    const id = res.body.key.id;
    const groupVote = (from: string, options: string[]) => p.server.call('POST', `/sandbox/vote/${p.a.name}`, { from, pollId: id, options, groupJid: group });
    // B is a member: its copy of the group poll arrives, and its phone votes from there.
    await p.b.waitFor('messages.upsert', (d) => d.key.id === id && d.key.remoteJid === group);
    expect((await p.server.call('POST', `/sandbox/castVote/${p.b.name}`, { pollId: id, options: ['sushi'] })).body.deliveredTo).toBe(p.a.jid);
    await p.a.waitFor('messages.update', (d) => d.keyId === id && d.pollUpdates);
    await groupVote(OUTSIDER, ['pizza']);
    const both = await p.a.waitFor('messages.update', (d) => d.keyId === id && d.pollUpdates?.[0].voters.length === 1);
    expect(both).toMatchObject({ keyId: id, remoteJid: group, fromMe: true, instanceId: p.a.id, pollUpdates: tally([outsiderJid], [p.b.jid], []) });
    const tallied = await p.as(p.a, 'POST', `/chat/getPollVote/${p.a.name}`, { message: { key: { id } }, remoteJid: group });
    expect(tallied.body).toEqual({ poll: { name: 'Where?', totalVotes: 2, results: { pizza: { votes: 1, voters: [outsiderJid] }, sushi: { votes: 1, voters: [p.b.jid] }, salad: { votes: 0, voters: [] } } } });
    await groupVote(OUTSIDER, []);
    await p.a.waitFor('messages.update', (d) => d.keyId === id && d.pollUpdates?.[0].voters.length === 0);
    const after = await p.as(p.a, 'POST', `/chat/getPollVote/${p.a.name}`, { message: { key: { id } }, remoteJid: group });
    expect(after.body.poll).toMatchObject({ totalVotes: 1, results: { pizza: { votes: 0, voters: [] }, sushi: { votes: 1, voters: [p.b.jid] } } });
  });

  it('a multiple-choice poll takes several options per voter', async () => {
    const res = await p.as(p.a, 'POST', `/message/sendPoll/${p.a.name}`, { number: p.b.number, name: 'Days?', selectableCount: 0, values: ['mon', 'tue', 'wed'] });
    expect(res.body.message.pollCreationMessage.selectableOptionsCount).toBe(0);
    await vote(p.b.number, ['mon', 'wed'], res.body.key.id);
    const update = await p.a.waitFor('messages.update', (d) => d.keyId === res.body.key.id && d.pollUpdates);
    expect(update.pollUpdates).toEqual([{ name: 'mon', voters: [p.b.jid] }, { name: 'tue', voters: [] }, { name: 'wed', voters: [p.b.jid] }]);
    const result = await p.as(p.a, 'POST', `/chat/getPollVote/${p.a.name}`, { message: { key: { id: res.body.key.id } }, remoteJid: p.b.jid });
    expect(result.body.poll.totalVotes).toBe(2);
  });

  it('refuses votes the poll cannot take, and getPollVote on what is not a poll', async () => {
    expect((await vote(p.b.number, ['tacos'])).body.response.message).toEqual(['Not an option of this poll: tacos']);
    expect((await vote(p.b.number, ['pizza', 'sushi'])).body.response.message).toEqual(['This poll takes at most 1 option(s)']);
    expect((await vote(p.b.number, ['pizza'], 'UNKNOWN')).status).toBe(400);
    const text = await p.as(p.a, 'POST', `/message/sendText/${p.a.name}`, { number: p.b.number, text: 'not a poll' });
    expect((await vote(p.b.number, ['x'], text.body.key.id)).body.response.message).toEqual([`Message "${text.body.key.id}" is not a poll`]);
    const notPoll = await p.as(p.a, 'POST', `/chat/getPollVote/${p.a.name}`, { message: { key: { id: text.body.key.id } }, remoteJid: p.b.jid });
    expect(notPoll).toMatchObject({ status: 400, body: { response: { message: ['The message is not a poll'] } } });
    const missing = await p.as(p.a, 'POST', `/chat/getPollVote/${p.a.name}`, { message: { key: { id: 'NOPE' } }, remoteJid: p.b.jid });
    expect(missing).toMatchObject({ status: 404, body: { status: 404, error: 'Not Found', response: { message: ['Poll message not found'] } } });
  });
}, 60_000);
