import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetaInstance, inbound, metaWorld, type MetaWorld } from './harness.js';
import { waitFor } from '../helpers/server.js';
import type { PhoneNumber } from '../../sim/graph/fakeGraph.js';

const CUSTOMER = '5511988887777';
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(' a jpeg')]);
const JID = `${CUSTOMER}@s.whatsapp.net`;

describe('Meta inbound: /webhook/meta', () => {
  let w: MetaWorld;
  let phone: PhoneNumber;
  let instanceId: string;
  const NAME = 'meta-in';

  beforeAll(async () => {
    w = await metaWorld();
    phone = w.graph.addPhone({ id: '106540352242922', display: '+55 11 3003-0001' });
    ({ id: instanceId } = await createMetaInstance(w, NAME, phone));
    await w.hook.waitForEvent('connection.update', (r) => r.body.instance === NAME && r.body.data.state === 'open');
  });
  afterAll(async () => w?.stop());

  const find = async (id: string) => (await w.server.call('POST', `/chat/findMessages/${NAME}`, { where: { key: { id } } })).body.messages;
  const upsertOf = (id: string) => w.hook.events('messages.upsert').filter((r) => r.body.instance === NAME && r.body.data.key.id === id);

  it('the instance is open as its display number', async () => {
    const fetched = (await w.server.call('GET', `/instance/fetchInstances?instanceName=${NAME}`)).body[0];
    expect(fetched).toMatchObject({ integration: 'WHATSAPP-BUSINESS', connectionStatus: 'open', ownerJid: '551130030001@s.whatsapp.net', number: phone.id, businessId: phone.businessId });
  });

  it('GET verification answers the challenge for the right token, 403 for a wrong or missing one', async () => {
    const ok = await fetch(`${w.server.url}/webhook/meta?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1158201444`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('1158201444');
    const wrong = await fetch(`${w.server.url}/webhook/meta?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1`);
    expect(wrong.status).toBe(403);
    expect(await wrong.text()).toBe('Error, wrong validation token');
    expect((await fetch(`${w.server.url}/webhook/meta?hub.challenge=1`)).status).toBe(403);
  });

  const samples: Record<string, (id: string) => Record<string, unknown>> = {
    text: () => ({ type: 'text', text: { body: 'Olá, quero saber do meu pedido' } }),
    image: () => ({ type: 'image', image: { caption: 'the receipt', mime_type: 'image/jpeg', sha256: 'n/a', id: 'IMG' } }),
    interactive: () => ({ type: 'interactive', interactive: { type: 'button_reply', button_reply: { id: 'track', title: 'Track order' } }, context: { from: '551130030001', id: 'wamid.ORIGINAL' } }),
    list: () => ({ type: 'interactive', interactive: { type: 'list_reply', list_reply: { id: 'pizza', title: 'Pizza', description: 'hot' } } }),
    reaction: () => ({ type: 'reaction', reaction: { message_id: 'wamid.SOMETHING', emoji: '❤️' } }),
    location: () => ({ type: 'location', location: { latitude: -23.5613, longitude: -46.6565, name: 'MASP', address: 'Av. Paulista, 1578' } }),
    contacts: () => ({ type: 'contacts', contacts: [{ name: { formatted_name: 'Bruno Lima', first_name: 'Bruno', last_name: 'Lima' }, phones: [{ phone: '+55 11 98877-0002', type: 'CELL', wa_id: '5511988770002' }] }] }),
    unsupported: () => ({ type: 'unsupported', errors: [{ code: 131051, title: 'Message type unknown', message: 'Message type unknown', error_data: { details: 'Message type is currently not supported.' } }] }),
  };
  const expected: Record<string, (r: any) => void> = {
    text: (d) => expect(d).toMatchObject({ message: { conversation: 'Olá, quero saber do meu pedido' }, messageType: 'conversation', pushName: 'Ana Cliente' }),
    image: (d) => {
      expect(d.messageType).toBe('imageMessage');
      expect(d.message.imageMessage).toMatchObject({ caption: 'the receipt', mimetype: 'image/jpeg' });
      expect(typeof d.message.mediaUrl).toBe('string');
    },
    interactive: (d) => expect(d.message.buttonsResponseMessage).toMatchObject({ selectedButtonId: 'track', selectedDisplayText: 'Track order', contextInfo: { stanzaId: 'wamid.ORIGINAL' } }),
    list: (d) => expect(d.message.listResponseMessage).toMatchObject({ title: 'Pizza', singleSelectReply: { selectedRowId: 'pizza' } }),
    reaction: (d) => expect(d).toMatchObject({ messageType: 'reactionMessage', message: { reactionMessage: { key: { id: 'wamid.SOMETHING' }, text: '❤️' } } }),
    location: (d) => expect(d.message.locationMessage).toMatchObject({ degreesLatitude: -23.5613, degreesLongitude: -46.6565, name: 'MASP' }),
    contacts: (d) => {
      expect(d.message.contactMessage.displayName).toBe('Bruno Lima');
      expect(d.message.contactMessage.vcard).toContain('waid=5511988770002');
    },
    unsupported: (d) => expect(d.message.unsupportedMessage.errors[0]).toMatchObject({ code: 131051 }),
  };

  for (const [kind, sample] of Object.entries(samples)) {
    it(`${kind}: unsigned and wrongly signed posts get 401 and change nothing; the signed one is stored and announced once`, async () => {
      if (kind === 'image') w.graph.media.set('IMG', { data: JPEG, mimetype: 'image/jpeg' });
      const id = inbound.id();
      const payload = w.graph.envelope(phone, inbound.value(CUSTOMER, { id, ...sample(id) }));
      const unsigned = await w.graph.post(payload, { secret: null });
      expect(unsigned).toMatchObject({ status: 401, body: { status: 401, error: 'Unauthorized' } });
      const wrong = await w.graph.post(payload, { secret: 'another-app-secret' });
      expect(wrong.status).toBe(401);
      const tampered = await w.graph.post({ ...payload, extra: 1 }, { signature: (await signed(payload)) });
      expect(tampered.status).toBe(401);
      expect(await w.server.gateway.repos.inbox.count('meta')).toBe(0);

      const ok = await w.graph.post(payload);
      expect(ok).toEqual({ status: 200, body: { status: 'success' } });
      const event = await w.hook.waitForEvent('messages.upsert', (r) => r.body.instance === NAME && r.body.data.key.id === id);
      expect(event.body.data).toMatchObject({ key: { remoteJid: JID, fromMe: false, id }, instanceId, source: 'unknown' });
      // The upstream envelope, as for every channel.
      expect(event.body).toMatchObject({ event: 'messages.upsert', instance: NAME, destination: w.hook.url, sender: '551130030001@s.whatsapp.net', apikey: null });
      expect(Number.isNaN(Date.parse(event.body.date_time))).toBe(false);
      expected[kind]!(event.body.data);
      const stored = await find(id);
      expect(stored.total).toBe(1);
      expect(stored.records[0]).toMatchObject({ key: { id, remoteJid: JID }, messageType: event.body.data.messageType });
      // Meta redelivers what it thinks was not taken: the wamid is stored and announced once.
      expect((await w.graph.post(payload)).status).toBe(200);
      await waitFor(async () => (await w.server.gateway.repos.inbox.count('meta')) === 0, 5000, 'the inbox drained');
      expect(upsertOf(id)).toHaveLength(1);
      expect((await find(id)).total).toBe(1);
      if (kind === 'image') {
        // Downloaded through Graph's media URL into the media store: the event's mediaUrl serves the same bytes.
        expect(w.graph.requests.some((r) => r.path === '/download/IMG' && r.authorization === `Bearer ${phone.token}`)).toBe(true);
        const res = await fetch(event.body.data.message.mediaUrl);
        expect(Buffer.from(await res.arrayBuffer()).equals(JPEG)).toBe(true);
      }
    });
  }

  it('statuses become messages.update: sent, delivered, read as acks, failed as ERROR with Meta code and reason', async () => {
    w.graph.autoStatuses = [];
    const sent = await w.server.call('POST', `/message/sendText/${NAME}`, { number: CUSTOMER, text: 'your order shipped' }, phone.token);
    expect(sent.status).toBe(201);
    const wamid = sent.body.key.id as string;
    expect(wamid).toMatch(/^wamid\./);
    const status = (s: string, extra: Record<string, unknown> = {}) => w.graph.envelope(phone, { statuses: [{ id: wamid, status: s, timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: CUSTOMER, ...extra }] });
    expect((await w.graph.post(status('sent'), { secret: null })).status).toBe(401);
    for (const s of ['sent', 'delivered', 'read']) expect((await w.graph.post(status(s))).status).toBe(200);
    await w.hook.waitForEvent('messages.update', (r) => r.body.data.keyId === wamid && r.body.data.status === 'READ');
    expect(w.hook.events('messages.update').filter((r) => r.body.data.keyId === wamid).map((r) => r.body.data.status)).toEqual(['SERVER_ACK', 'DELIVERY_ACK', 'READ']);

    const failing = await w.server.call('POST', `/message/sendText/${NAME}`, { number: CUSTOMER, text: 'outside the window' }, phone.token);
    const failedId = failing.body.key.id as string;
    const failed = w.graph.envelope(phone, { statuses: [{ id: failedId, status: 'failed', timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: CUSTOMER, errors: [{ code: 131047, title: 'Re-engagement message', message: 'Re-engagement message', error_data: { details: 'More than 24 hours have passed since the recipient last replied to the sender number.' } }] }] });
    expect((await w.graph.post(failed, { signature: 'sha256=00' })).status).toBe(401);
    expect((await w.graph.post(failed)).status).toBe(200);
    const update = await w.hook.waitForEvent('messages.update', (r) => r.body.data.keyId === failedId && r.body.data.status === 'ERROR');
    expect(update.body.data.error).toEqual({ code: 131047, reason: 'Re-engagement message: More than 24 hours have passed since the recipient last replied to the sender number.' });
    expect((await find(failedId)).records[0].status).toBe('ERROR');
  });

  it('a post over 5 MB is refused (413) before it is parsed', async () => {
    const res = await fetch(`${w.server.url}/webhook/meta`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ object: 'whatsapp_business_account', pad: 'x'.repeat(6 * 1024 * 1024) }) });
    expect(res.status).toBe(413);
  });

  it('a body that is not a WhatsApp Business Account webhook is refused after the signature', async () => {
    expect((await w.graph.post({ object: 'page', entry: [] })).status).toBe(400);
    expect((await w.graph.post({ object: 'page' }, { secret: null })).status).toBe(401);
  });
});

async function signed(payload: unknown): Promise<string> {
  const { createHmac } = await import('node:crypto');
  const { APP_SECRET } = await import('../../sim/graph/fakeGraph.js');
  return `sha256=${createHmac('sha256', APP_SECRET).update(JSON.stringify(payload)).digest('hex')}`;
}

describe('a number with its own app secret (POST /meta/appSecret)', () => {
  it('its webhooks must be signed with that secret; clearing it goes back to WA_BUSINESS_APP_SECRET', async () => {
    const w = await metaWorld();
    try {
      const phone = w.graph.addPhone({ id: '106540352240001', display: '+55 11 3003-0009' });
      const { token } = await createMetaInstance(w, 'own-secret', phone);
      const other = w.graph.addPhone({ id: '106540352240002', display: '+55 11 3003-0008' });
      await createMetaInstance(w, 'global-secret', other);
      expect((await w.server.call('POST', '/meta/appSecret/own-secret', { appSecret: 'number-own-secret' }, other.token)).status).toBe(401);
      expect(await w.server.call('POST', '/meta/appSecret/own-secret', { appSecret: 'number-own-secret' }, token)).toMatchObject({ status: 200, body: { appSecret: 'set' } });
      const id = inbound.id();
      const payload = w.graph.envelope(phone, inbound.value(CUSTOMER, { id, type: 'text', text: { body: 'own app' } }));
      expect((await w.graph.post(payload)).status).toBe(401);
      expect((await w.graph.post(payload, { secret: 'number-own-secret' })).status).toBe(200);
      await w.hook.waitForEvent('messages.upsert', (r) => r.body.data.key.id === id);
      // Sealed at rest: the stored entry does not hold the secret in clear.
      const rows = await w.server.gateway.db.kysely.selectFrom('channelKeys').selectAll().execute();
      expect(rows.length).toBeGreaterThan(0);
      expect(JSON.stringify(rows)).not.toContain('number-own-secret');
      // The other number still takes WA_BUSINESS_APP_SECRET, and not the first number's secret.
      const otherPayload = w.graph.envelope(other, inbound.value(CUSTOMER, { id: inbound.id(), type: 'text', text: { body: 'x' } }));
      expect((await w.graph.post(otherPayload, { secret: 'number-own-secret' })).status).toBe(401);
      expect((await w.graph.post(otherPayload)).status).toBe(200);
      expect(await w.server.call('POST', '/meta/appSecret/own-secret', { appSecret: null }, token)).toMatchObject({ status: 200, body: { appSecret: 'cleared' } });
      expect((await w.graph.post(payload)).status).toBe(200);
    } finally {
      await w.stop();
    }
  });
});
