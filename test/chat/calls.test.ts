import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPair, expectEnvelope, expectGuarded, type Pair } from './pair.js';
import { waitFor } from '../helpers/server.js';

const SETTINGS = { rejectCall: false, groupsIgnore: false, alwaysOnline: false, readMessages: false, readStatus: false, syncFullHistory: false };

describe('calls between two sandbox instances, rejectCall and msgCall', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await startPair('call', ['5511960000011', '5511960000012']);
  });
  afterAll(() => pair?.stop());

  it("/call/offer from A rings B: B's webhook gets the call, then its end after callDuration; A gets the real call id", async () => {
    const { server, a, b } = pair;
    const offer = await server.call('POST', `/call/offer/${a.name}`, { number: b.number, isVideo: true, callDuration: 1 }, a.token);
    expect(offer.status).toBe(201);
    expect(Object.keys(offer.body).sort()).toEqual(['callDuration', 'id', 'isVideo', 'jid']);
    expect(offer.body).toMatchObject({ jid: b.jid, isVideo: true, callDuration: 1 });
    expect(offer.body.id).toMatch(/^[0-9A-F]{32}$/);

    const ring = await b.hook.waitForEvent('call', (r) => r.body.data.id === offer.body.id && r.body.data.status === 'offer');
    expectEnvelope(ring, 'call', b);
    expect(Object.keys(ring.body.data).sort()).toEqual(['chatId', 'date', 'from', 'id', 'isGroup', 'isVideo', 'offline', 'status']);
    expect(ring.body.data).toMatchObject({ id: offer.body.id, from: a.jid, chatId: a.jid, status: 'offer', isVideo: true, isGroup: false, offline: false });
    expect(Date.parse(ring.body.data.date)).not.toBeNaN();
    const ended = await b.hook.waitForEvent('call', (r) => r.body.data.id === offer.body.id && r.body.data.status === 'terminate', 3000);
    expect(ended.at - ring.at).toBeGreaterThanOrEqual(900);
    expect(a.hook.events('call')).toEqual([]);
  });

  it('with rejectCall and msgCall set on B, the call is rejected (A sees it) and A gets the text as a message', async () => {
    const { server, a, b } = pair;
    expect((await server.call('POST', `/settings/set/${b.name}`, { ...SETTINGS, rejectCall: true, msgCall: 'I cannot take calls, please write.' }, b.token)).status).toBe(201);
    const offer = await server.call('POST', `/call/offer/${a.name}`, { number: b.number, callDuration: 5 }, a.token);
    expect(offer.body.isVideo).toBe(false);

    const rejected = await a.hook.waitForEvent('call', (r) => r.body.data.id === offer.body.id);
    expectEnvelope(rejected, 'call', a);
    expect(rejected.body.data).toMatchObject({ id: offer.body.id, from: b.jid, chatId: b.jid, status: 'reject', isVideo: false });
    expect((await b.hook.waitForEvent('call', (r) => r.body.data.id === offer.body.id)).body.data.status).toBe('offer');

    const text = await a.hook.waitForEvent('messages.upsert', (r) => r.body.data.key.remoteJid === b.jid && JSON.stringify(r.body.data.message).includes('I cannot take calls'));
    expect(text.body.data.key.fromMe).toBe(false);
    // B records the text it sent, as upstream does (messages.upsert of its own message).
    const own = await b.hook.waitForEvent('messages.upsert', (r) => r.body.data.key.id === text.body.data.key.id);
    expect(own.body.data.key).toMatchObject({ remoteJid: a.jid, fromMe: true });
    // A rejected call does not end later: no terminate at B.
    await new Promise((r) => setTimeout(r, 200));
    expect(b.hook.events('call').filter((r) => r.body.data.id === offer.body.id).map((r) => r.body.data.status)).toEqual(['offer']);
  });

  it('an incoming call from a simulated contact (control route): rejected with msgCall, or ringing once the settings are off', async () => {
    const { server, b } = pair;
    const caller = '5511960000099';
    const call = await server.call('POST', `/sandbox/call/${b.name}`, { from: caller, isVideo: false });
    expect(call.status).toBe(201);
    expect(call.body).toMatchObject({ from: `${caller}@s.whatsapp.net`, status: 'reject', message: { text: 'I cannot take calls, please write.' } });
    const event = await b.hook.waitForEvent('call', (r) => r.body.data.id === call.body.id);
    expect(event.body.data).toMatchObject({ from: `${caller}@s.whatsapp.net`, status: 'offer' });
    const sent = await waitFor(async () => (await server.call('POST', `/chat/findMessages/${b.name}`, { where: { key: { id: call.body.message.keyId } } }, b.token)).body.messages.records[0], 3000, 'stored msgCall');
    expect(sent.key).toMatchObject({ remoteJid: `${caller}@s.whatsapp.net`, fromMe: true });

    await server.call('POST', `/settings/set/${b.name}`, SETTINGS, b.token);
    const second = await server.call('POST', `/sandbox/call/${b.name}`, { from: caller, isVideo: true });
    expect(second.body).toEqual({ id: second.body.id, from: `${caller}@s.whatsapp.net`, status: 'ringing' });
    expect((await b.hook.waitForEvent('call', (r) => r.body.data.id === second.body.id)).body.data).toMatchObject({ status: 'offer', isVideo: true });

    const bad = await server.call('POST', `/sandbox/call/${b.name}`, { from: 'x' });
    expect(bad.status).toBe(400);
  });

  it('a blocked caller does not ring', async () => {
    const { server, a, b } = pair;
    await server.call('POST', `/chat/updateBlockStatus/${b.name}`, { number: a.number, status: 'block' }, b.token);
    const offer = await server.call('POST', `/call/offer/${a.name}`, { number: b.number, callDuration: 1 }, a.token);
    expect(offer.status).toBe(201);
    await new Promise((r) => setTimeout(r, 200));
    expect(b.hook.events('call').filter((r) => r.body.data.id === offer.body.id)).toEqual([]);
    await server.call('POST', `/chat/updateBlockStatus/${b.name}`, { number: a.number, status: 'unblock' }, b.token);
  });

  it('validation wording and guards', async () => {
    const { server, a, b } = pair;
    const long = await server.call('POST', `/call/offer/${a.name}`, { number: b.number, callDuration: 16 }, a.token);
    expect(long.status).toBe(400);
    expect(long.body).toEqual({ status: 400, error: 'Bad Request', response: { message: ['callDuration must be less than or equal to 15'] } });
    const none = await server.call('POST', `/call/offer/${a.name}`, { number: b.number }, a.token);
    expect(none.body.response.message).toEqual(['instance requires property "callDuration"']);
    const noNumber = await server.call('POST', `/call/offer/${a.name}`, { callDuration: 3 }, a.token);
    expect(noNumber.body.response.message).toEqual(['instance requires property "number"']);
    await expectGuarded(pair, 'POST', '/call/offer', { number: b.number, callDuration: 1 });
  });
});
