import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPair, type Pair, type Side } from './pair.js';

/**
 * Every non-media send between two sandbox instances, checked at both webhooks field by field: the sender's response
 * and `send.message` (the stored record) and the recipient's `messages.upsert` (what went on the wire).
 */
describe('sends between two sandbox instances', () => {
  let p: Pair;
  beforeAll(async () => {
    p = await startPair('send', ['5511910000001', '5511910000002']);
  });
  afterAll(async () => p?.stop());

  /** Sends from `from` to `to` and returns the response, the sender's send.message and the recipient's messages.upsert. */
  async function roundTrip(from: Side, to: Side, action: string, body: Record<string, unknown>) {
    const res = await p.as(from, 'POST', `/message/${action}/${from.name}`, { number: to.number, ...body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const sent = res.body;
    expect(Object.keys(sent).sort()).toEqual(['instanceId', 'key', 'message', 'messageTimestamp', 'messageType', 'pushName', 'source', 'status', ...(sent.contextInfo !== undefined ? ['contextInfo'] : [])].sort());
    expect(sent).toMatchObject({ key: { remoteJid: to.jid, fromMe: true }, pushName: 'Você', status: 'PENDING', instanceId: from.id, source: 'web' });
    expect(sent.key.id).toMatch(/^3EB0[0-9A-F]{16}$/);
    const announced = await from.waitFor('send.message', (d) => d.key.id === sent.key.id);
    expect(announced).toEqual(sent);
    const upsert = await to.waitFor('messages.upsert', (d) => d.key.id === sent.key.id);
    expect(Object.keys(upsert).sort()).toEqual(['contextInfo', 'instanceId', 'key', 'message', 'messageTimestamp', 'messageType', 'pushName', 'source', 'status']);
    expect(upsert).toMatchObject({ key: { remoteJid: from.jid, fromMe: false, id: sent.key.id }, pushName: from.profileName, status: 'DELIVERY_ACK', messageTimestamp: sent.messageTimestamp, instanceId: to.id, source: 'web' });
    await from.waitFor('messages.update', (d) => d.keyId === sent.key.id && d.status === 'DELIVERY_ACK');
    return { sent, upsert };
  }

  it('text with a quote, mentions and a link preview', async () => {
    const first = await roundTrip(p.b, p.a, 'sendText', { text: 'quote me' });
    const text = 'see https://example.com/page?x=1, then @5511910000002';
    const { sent, upsert } = await roundTrip(p.a, p.b, 'sendText', { text, quoted: { key: { id: first.sent.key.id } }, mentioned: [p.b.number], linkPreview: true });
    const context = { stanzaId: first.sent.key.id, participant: p.b.jid, quotedMessage: { conversation: 'quote me' }, mentionedJid: [p.b.jid] };
    // The record keeps extendedTextMessage as conversation with its contextInfo beside it (upstream's rewrite).
    expect(sent.message).toEqual({ conversation: text });
    expect(sent.messageType).toBe('conversation');
    expect(sent.contextInfo).toEqual(context);
    // The peer gets what went on the wire.
    expect(upsert.messageType).toBe('extendedTextMessage');
    expect(upsert.message).toEqual({ extendedTextMessage: { text, matchedText: 'https://example.com/page?x=1', canonicalUrl: 'https://example.com/page?x=1', title: 'example.com', description: '', previewType: 'NONE', contextInfo: context } });
    expect(upsert.contextInfo).toEqual(context);
    // The quote resolved from the database; with linkPreview off and no quote, the text goes as a plain conversation.
    const plain = await roundTrip(p.a, p.b, 'sendText', { text: 'no preview https://example.com', linkPreview: false });
    expect(plain.upsert.message).toEqual({ conversation: 'no preview https://example.com' });
    expect(plain.upsert.contextInfo).toBeNull();
  });

  it('a quote of one of its own messages names the instance as the author', async () => {
    const own = await roundTrip(p.a, p.b, 'sendText', { text: 'mine' });
    const { upsert } = await roundTrip(p.a, p.b, 'sendText', { text: 'quoting myself', quoted: { key: { id: own.sent.key.id, remoteJid: p.b.jid, fromMe: true } } });
    expect(upsert.contextInfo).toEqual({ stanzaId: own.sent.key.id, participant: p.a.jid, quotedMessage: { conversation: 'mine' } });
  });

  it('mentionsEveryOne in a group mentions every participant', async () => {
    const created = await p.as(p.a, 'POST', `/group/create/${p.a.name}`, { subject: 'Team', participants: [p.b.number, '5511988880003'] });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const group: string = created.body.id;
    const res = await p.as(p.a, 'POST', `/message/sendText/${p.a.name}`, { number: group, text: 'hello all', mentionsEveryOne: true });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const everyone = created.body.participants.map((x: { id: string }) => x.id);
    expect(everyone).toEqual(expect.arrayContaining([p.a.jid, p.b.jid, '5511988880003@s.whatsapp.net']));
    expect(res.body).toMatchObject({ key: { remoteJid: group, fromMe: true }, message: { conversation: 'hello all' }, contextInfo: { mentionedJid: everyone } });
    const upsert = await p.b.waitFor('messages.upsert', (d) => d.key.id === res.body.key.id);
    expect(upsert).toMatchObject({ key: { remoteJid: group, fromMe: false, participant: p.a.jid }, messageType: 'extendedTextMessage', message: { extendedTextMessage: { text: 'hello all', contextInfo: { mentionedJid: everyone } } } });
  });

  it('delay: the request waits while the peer sees "composing", then "paused"', async () => {
    const started = Date.now();
    const { sent } = await roundTrip(p.a, p.b, 'sendLocation', { latitude: 0, longitude: 0, name: 'n', address: 'a', delay: 400 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    const presences = p.b.events('presence.update').map((r) => r.body.data).filter((d) => d.id === p.a.jid);
    expect(presences.map((d) => d.presences[p.a.jid].lastKnownPresence)).toEqual(expect.arrayContaining(['composing', 'paused']));
    expect(sent.messageType).toBe('locationMessage');
  });

  it('a quote given with its message needs no lookup', async () => {
    const quoted = { key: { id: 'NOT-STORED-ANYWHERE', remoteJid: p.b.jid, fromMe: false }, message: { conversation: 'from elsewhere' } };
    const { upsert } = await roundTrip(p.a, p.b, 'sendPoll', { name: 'Q?', selectableCount: 1, values: ['x', 'y'], quoted });
    expect(upsert.message.pollCreationMessage.contextInfo).toEqual({ stanzaId: 'NOT-STORED-ANYWHERE', participant: p.b.jid, quotedMessage: { conversation: 'from elsewhere' } });
    const missing = await p.as(p.a, 'POST', `/message/sendLocation/${p.a.name}`, { number: p.b.number, latitude: 0, longitude: 0, name: 'n', address: 'a', quoted: { key: { id: 'NOT-STORED-ANYWHERE' } } });
    expect(missing).toMatchObject({ status: 400, body: { response: { message: ['Quoted message not found'] } } });
  });

  it('location', async () => {
    const { sent, upsert } = await roundTrip(p.a, p.b, 'sendLocation', { latitude: -23.5613, longitude: -46.6565, name: 'MASP', address: 'Av. Paulista, 1578' });
    const message = { locationMessage: { degreesLatitude: -23.5613, degreesLongitude: -46.6565, name: 'MASP', address: 'Av. Paulista, 1578' } };
    expect(sent).toMatchObject({ messageType: 'locationMessage', message });
    expect(upsert).toMatchObject({ messageType: 'locationMessage', message, contextInfo: null });
  });

  it('one contact: a contactMessage with its vCard', async () => {
    const { sent, upsert } = await roundTrip(p.a, p.b, 'sendContact', { contact: [{ fullName: 'Ana Souza', phoneNumber: '+55 11 98877-0001', organization: 'ACME', email: 'ana@acme.test', url: 'https://acme.test' }] });
    const vcard = ['BEGIN:VCARD', 'VERSION:3.0', 'N:Ana Souza', 'FN:Ana Souza', 'ORG:ACME;', 'EMAIL:ana@acme.test', 'URL:https://acme.test', 'item1.TEL;waid=5511988770001:+55 11 98877-0001', 'item1.X-ABLabel:Celular', 'END:VCARD'].join('\n');
    const message = { contactMessage: { displayName: 'Ana Souza', vcard } };
    expect(sent).toMatchObject({ messageType: 'contactMessage', message });
    expect(upsert).toMatchObject({ messageType: 'contactMessage', message });
  });

  it('several contacts: a contactsArrayMessage', async () => {
    const { sent, upsert } = await roundTrip(p.a, p.b, 'sendContact', { contact: [{ fullName: 'Ana', phoneNumber: '5511988770001' }, { fullName: 'Bia', phoneNumber: '5511988770002', wuid: '5511988770009' }] });
    expect(sent.messageType).toBe('contactsArrayMessage');
    expect(upsert.message).toEqual(sent.message);
    const array = upsert.message.contactsArrayMessage;
    expect(array.displayName).toBe('2 contacts');
    expect(array.contacts.map((c: any) => c.displayName)).toEqual(['Ana', 'Bia']);
    expect(array.contacts[0].vcard).toContain('item1.TEL;waid=5511988770001:5511988770001');
    expect(array.contacts[1].vcard).toContain('item1.TEL;waid=5511988770009:5511988770002');
  });

  it('list', async () => {
    const sections = [{ title: 'Mains', rows: [{ title: 'Pizza', rowId: 'pizza' }, { title: 'Sushi', description: 'raw fish', rowId: 'sushi' }] }];
    const { sent, upsert } = await roundTrip(p.a, p.b, 'sendList', { title: 'Menu', description: 'Pick one', footerText: 'today', buttonText: 'Open menu', sections });
    const message = {
      listMessage: {
        title: 'Menu',
        description: 'Pick one',
        buttonText: 'Open menu',
        footerText: 'today',
        listType: 'SINGLE_SELECT',
        sections: [{ title: 'Mains', rows: [{ title: 'Pizza', description: '', rowId: 'pizza' }, { title: 'Sushi', description: 'raw fish', rowId: 'sushi' }] }],
      },
    };
    expect(sent).toMatchObject({ messageType: 'listMessage', message });
    expect(upsert).toMatchObject({ messageType: 'listMessage', message });
  });

  it('reply buttons: an interactiveMessage with native-flow quick replies', async () => {
    const { sent, upsert } = await roundTrip(p.a, p.b, 'sendButtons', { title: 'Confirm?', description: 'Your order #12', footer: 'shop', buttons: [{ type: 'reply', displayText: 'Yes', id: 'yes' }, { type: 'reply', displayText: 'No', id: 'no' }] });
    expect(sent.messageType).toBe('interactiveMessage');
    expect(upsert.message).toEqual(sent.message);
    const im = upsert.message.interactiveMessage;
    expect(im.body).toEqual({ text: '*Confirm?*\n\nYour order #12' });
    expect(im.footer).toEqual({ text: 'shop' });
    expect(im.nativeFlowMessage.buttons).toEqual([
      { name: 'quick_reply', buttonParamsJson: JSON.stringify({ display_text: 'Yes', id: 'yes' }) },
      { name: 'quick_reply', buttonParamsJson: JSON.stringify({ display_text: 'No', id: 'no' }) },
    ]);
    expect(JSON.parse(im.nativeFlowMessage.messageParamsJson)).toMatchObject({ from: 'api', templateId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  });

  it('call-to-action buttons (url, call, copy) and a PIX button', async () => {
    const cta = await roundTrip(p.a, p.b, 'sendButtons', { title: 'Links', buttons: [{ type: 'url', displayText: 'Site', url: 'https://acme.test' }, { type: 'call', displayText: 'Call us', phoneNumber: '+5511999990000' }] });
    expect(cta.upsert.message.interactiveMessage.nativeFlowMessage.buttons).toEqual([
      { name: 'cta_url', buttonParamsJson: JSON.stringify({ display_text: 'Site', url: 'https://acme.test', merchant_url: 'https://acme.test' }) },
      { name: 'cta_call', buttonParamsJson: JSON.stringify({ display_text: 'Call us', phone_number: '+5511999990000' }) },
    ]);
    const copy = await roundTrip(p.a, p.b, 'sendButtons', { title: 'Coupon', buttons: [{ type: 'copy', displayText: 'Copy', copyCode: 'SAVE10' }] });
    expect(copy.upsert.message.interactiveMessage.nativeFlowMessage.buttons[0]).toEqual({ name: 'cta_copy', buttonParamsJson: JSON.stringify({ display_text: 'Copy', copy_code: 'SAVE10' }) });
    const pix = await roundTrip(p.a, p.b, 'sendButtons', { buttons: [{ type: 'pix', currency: 'BRL', name: 'ACME Ltda', keyType: 'email', key: 'pix@acme.test' }] });
    const im = pix.upsert.message.interactiveMessage;
    expect(Object.keys(im)).toEqual(['nativeFlowMessage']);
    expect(im.nativeFlowMessage.buttons[0].name).toBe('payment_info');
    expect(JSON.parse(im.nativeFlowMessage.buttons[0].buttonParamsJson)).toMatchObject({ currency: 'BRL', payment_settings: [{ type: 'pix_static_code', pix_static_code: { merchant_name: 'ACME Ltda', key: 'pix@acme.test', key_type: 'EMAIL' } }] });
  });

  it('findMessages returns each record as it was sent', async () => {
    const { sent } = await roundTrip(p.a, p.b, 'sendLocation', { latitude: 1.5, longitude: 2.5, name: 'X', address: 'Y' });
    const found = await p.as(p.a, 'POST', `/chat/findMessages/${p.a.name}`, { where: { key: { id: sent.key.id } } });
    expect(found.body.messages.records).toHaveLength(1);
    expect(found.body.messages.records[0]).toMatchObject({ key: sent.key, message: sent.message, messageType: 'locationMessage' });
  });
}, 60_000);
