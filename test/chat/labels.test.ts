import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPair, expectEnvelope, expectGuarded, type Pair } from './pair.js';
import { waitFor } from '../helpers/server.js';

const PREDEFINED = [
  { color: '0', name: 'New customer', id: '1', predefinedId: '1' },
  { color: '1', name: 'New order', id: '2', predefinedId: '2' },
  { color: '2', name: 'Pending payment', id: '3', predefinedId: '3' },
  { color: '3', name: 'Paid', id: '4', predefinedId: '4' },
  { color: '4', name: 'Order complete', id: '5', predefinedId: '5' },
];

describe('labels between two sandbox instances', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await startPair('lbl', ['5511930000001', '5511930000002']);
  });
  afterAll(() => pair?.stop());

  it('a phone starts with the predefined labels: labels.edit for each, findLabels lists them', async () => {
    const { server, a } = pair;
    await waitFor(() => a.hook.events('labels.edit').length === 5, 5000, 'five labels.edit');
    const edit = a.hook.events('labels.edit').find((r) => r.body.data.id === '3')!;
    expectEnvelope(edit, 'labels.edit', a);
    expect(edit.body.data).toEqual({ id: '3', name: 'Pending payment', color: 2, predefinedId: '3', deleted: false, instance: a.name });
    const found = await server.call('GET', `/label/findLabels/${a.name}`, undefined, a.token);
    expect(found.status).toBe(200);
    expect(found.body).toEqual(PREDEFINED);
  });

  it('the phone app adds, renames and deletes a label; each change is a labels.edit and shows in findLabels', async () => {
    const { server, a } = pair;
    const added = await server.call('POST', `/sandbox/labels/${a.name}`, { name: 'VIP ⭐', color: 7 });
    expect(added.status).toBe(201);
    expect(added.body).toEqual({ id: '6', name: 'VIP ⭐', color: 7, deleted: false });
    const hook = await a.hook.waitForEvent('labels.edit', (r) => r.body.data.id === '6');
    expect(hook.body.data).toEqual({ id: '6', name: 'VIP ⭐', color: 7, deleted: false, instance: a.name });

    const renamed = await server.call('POST', `/sandbox/labels/${a.name}`, { id: '6', name: 'Gold' });
    expect(renamed.body).toEqual({ id: '6', name: 'Gold', color: 7, deleted: false });
    expect((await server.call('GET', `/label/findLabels/${a.name}`, undefined, a.token)).body).toEqual([...PREDEFINED, { color: '7', name: 'Gold', id: '6', predefinedId: null }]);

    const deleted = await server.call('POST', `/sandbox/labels/${a.name}`, { id: '4', deleted: true });
    expect(deleted.body).toEqual({ id: '4', name: 'Paid', color: 3, predefinedId: '4', deleted: true });
    const gone = await a.hook.waitForEvent('labels.edit', (r) => r.body.data.id === '4' && r.body.data.deleted === true);
    expect(gone.body.data).toEqual({ id: '4', name: 'Paid', color: 3, predefinedId: '4', deleted: true, instance: a.name });
    expect((await server.call('GET', `/label/findLabels/${a.name}`, undefined, a.token)).body.map((l: { id: string }) => l.id)).toEqual(['1', '2', '3', '5', '6']);

    const unknown = await server.call('POST', `/sandbox/labels/${a.name}`, { id: '99', name: 'x' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.response.message).toEqual(['Label "99" does not exist on this phone']);
  });

  it('handleLabel puts a label on a chat and takes it off: labels.association, findChats and findChatByRemoteJid show it', async () => {
    const { server, a, b } = pair;
    expect((await server.call('POST', `/message/sendText/${a.name}`, { number: b.number, text: 'your order' }, a.token)).status).toBe(201);
    const add = await server.call('POST', `/label/handleLabel/${a.name}`, { number: b.number, labelId: '2', action: 'add' }, a.token);
    expect(add.status).toBe(200);
    expect(add.body).toEqual({ numberJid: b.jid, labelId: '2', add: true });
    const assoc = await a.hook.waitForEvent('labels.association', (r) => r.body.data.type === 'add');
    expectEnvelope(assoc, 'labels.association', a);
    expect(assoc.body.data).toEqual({ instance: a.name, type: 'add', chatId: b.jid, labelId: '2' });
    await server.call('POST', `/label/handleLabel/${a.name}`, { number: b.number, labelId: '6', action: 'add' }, a.token);

    const [chat] = (await server.call('POST', `/chat/findChats/${a.name}`, { where: { remoteJid: b.jid } }, a.token)).body;
    expect(chat.labels).toEqual(['2', '6']);
    const row = await server.call('GET', `/chat/findChatByRemoteJid/${a.name}?remoteJid=${b.jid}`, undefined, a.token);
    expect(row.body.labels).toEqual(['2', '6']);

    const remove = await server.call('POST', `/label/handleLabel/${a.name}`, { number: b.number, labelId: '2', action: 'remove' }, a.token);
    expect(remove.body).toEqual({ numberJid: b.jid, labelId: '2', remove: true });
    const removed = await a.hook.waitForEvent('labels.association', (r) => r.body.data.type === 'remove');
    expect(removed.body.data).toEqual({ instance: a.name, type: 'remove', chatId: b.jid, labelId: '2' });
    expect((await server.call('GET', `/chat/findChatByRemoteJid/${a.name}?remoteJid=${b.jid}`, undefined, a.token)).body.labels).toEqual(['6']);
    // Labels are the phone's own: the other side sees no association.
    expect(b.hook.events('labels.association')).toEqual([]);
  });

  it('handleLabel: unknown label, number not on WhatsApp, validation wording, 401 and 404', async () => {
    const { server, a, b } = pair;
    const unknown = await server.call('POST', `/label/handleLabel/${a.name}`, { number: b.number, labelId: '42', action: 'add' }, a.token);
    expect(unknown.status).toBe(400);
    expect(unknown.body).toEqual({ status: 400, error: 'Bad Request', response: { message: ['Unable to add label to chat', 'Label "42" does not exist on this phone'] } });
    const missing = await server.call('POST', `/label/handleLabel/${a.name}`, { number: '0001234567', labelId: '1', action: 'add' }, a.token);
    expect(missing.status).toBe(404);
    expect(missing.body.response.message).toEqual(['Number is not on WhatsApp']);
    const noAction = await server.call('POST', `/label/handleLabel/${a.name}`, { number: b.number, labelId: '1' }, a.token);
    expect(noAction.status).toBe(400);
    expect(noAction.body.response.message).toEqual(['instance requires property "action"']);
    const badAction = await server.call('POST', `/label/handleLabel/${a.name}`, { number: b.number, labelId: '1', action: 'toggle' }, a.token);
    expect(badAction.body.response.message).toEqual(['action is not one of enum values: add,remove']);
    expect((await server.call('POST', `/label/handleLabel/${a.name}`, { number: b.number, labelId: '', action: 'add' }, a.token)).body.response.message).toEqual(['The "labelId" cannot be empty']);
    await expectGuarded(pair, 'POST', '/label/handleLabel', { number: b.number, labelId: '1', action: 'add' });
    await expectGuarded(pair, 'GET', '/label/findLabels');
  });
});
