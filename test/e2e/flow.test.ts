import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectedSandbox, startTestServer, waitFor, type TestServer } from '../helpers/server.js';
import { WebhookReceiver, type Received } from '../helpers/receiver.js';

/** The envelope every webhook body must have, field for field (contract §3.2). */
function expectEnvelope(r: Received, event: string, instance: string, destination: string, sender?: string) {
  const keys = ['event', 'instance', 'data', 'destination', 'date_time', ...(sender ? ['sender'] : []), 'server_url', 'apikey'];
  expect(Object.keys(r.body).sort()).toEqual(keys.sort());
  expect(r.body.event).toBe(event);
  expect(r.body.instance).toBe(instance);
  expect(r.body.destination).toBe(destination);
  expect(r.body.date_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  if (sender) expect(r.body.sender).toBe(sender);
  expect(r.body.server_url).toBe('http://gateway.test');
  expect(r.body.apikey).toBeNull();
  expect(r.method).toBe('POST');
  expect(r.headers['content-type']).toBe('application/json');
}

describe('end to end: two sandbox instances talk, every event reaches the webhook', () => {
  let server: TestServer;
  const hookA = new WebhookReceiver();
  const hookB = new WebhookReceiver();
  const A = '5511900000001';
  const B = '5511900000002';

  beforeAll(async () => {
    await hookA.start();
    await hookB.start();
    server = await startTestServer({ SERVER_URL: 'http://gateway.test' });
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(server.dir, { recursive: true, force: true });
    await hookA.stop();
    await hookB.stop();
  });

  it('creates, scans, sends, receives, acks, reads back', async () => {
    const createA = await server.call('POST', '/instance/create', { instanceName: 'alice', integration: 'SANDBOX', qrcode: true, webhook: { url: hookA.url, events: [] } });
    expect(createA.status).toBe(201);
    expect(createA.body.instance).toMatchObject({ instanceName: 'alice', integration: 'SANDBOX', status: 'connecting' });
    expect(createA.body.instance.instanceId).toMatch(/^[0-9a-f-]{36}$/);
    expect(createA.body.hash).toMatch(/^[0-9A-F-]{36}$/);
    expect(createA.body.qrcode).toMatchObject({ pairingCode: null, count: 1 });
    expect(createA.body.qrcode.code).toMatch(/^2@/);
    expect(createA.body.qrcode.base64).toMatch(/^data:image\/png;base64,/);
    expect(createA.body.webhook).toEqual({ webhookUrl: hookA.url, webhookByEvents: false, webhookBase64: false });
    // The parent hub sends the webhook as a plain URL string.
    const createB = await server.call('POST', '/instance/create', { instanceName: 'bob', integration: 'SANDBOX', qrcode: true, webhook: hookB.url });
    expect(createB.status).toBe(201);
    const tokenA = createA.body.hash;
    const tokenB = createB.body.hash;

    const created = await hookA.waitForEvent('instance.create');
    expectEnvelope(created, 'instance.create', 'alice', hookA.url);
    expect(created.body.data).toEqual({ instanceName: 'alice', instanceId: createA.body.instance.instanceId });
    const qr = await hookA.waitForEvent('qrcode.updated');
    expect(qr.body.data.qrcode).toEqual({ instance: 'alice', pairingCode: null, code: createA.body.qrcode.code, base64: createA.body.qrcode.base64 });

    expect((await server.call('GET', '/instance/connectionState/alice', undefined, tokenA)).body).toEqual({ instance: { instanceName: 'alice', state: 'connecting' } });
    expect((await server.call('POST', '/sandbox/scan/alice', { number: A, profileName: 'Alice' })).status).toBe(200);
    expect((await server.call('POST', '/sandbox/scan/bob', { number: B, profileName: 'Bob' })).status).toBe(200);
    expect((await server.call('GET', '/instance/connectionState/alice', undefined, tokenA)).body).toEqual({ instance: { instanceName: 'alice', state: 'open' } });

    const open = await hookA.waitForEvent('connection.update', (r) => r.body.data.state === 'open');
    expectEnvelope(open, 'connection.update', 'alice', hookA.url, `${A}@s.whatsapp.net`);
    expect(open.body.data).toEqual({ instance: 'alice', wuid: `${A}@s.whatsapp.net`, profileName: 'Alice', profilePictureUrl: null, state: 'open', statusReason: 200 });

    const sent = await server.call('POST', '/message/sendText/alice', { number: B, text: 'Olá Bob 👋' }, tokenA);
    expect(sent.status).toBe(201);
    expect(Object.keys(sent.body).sort()).toEqual(['instanceId', 'key', 'message', 'messageTimestamp', 'messageType', 'pushName', 'source', 'status']);
    expect(sent.body).toMatchObject({ key: { remoteJid: `${B}@s.whatsapp.net`, fromMe: true }, pushName: 'Você', status: 'PENDING', message: { conversation: 'Olá Bob 👋' }, messageType: 'conversation', instanceId: createA.body.instance.instanceId, source: 'web' });
    const keyId = sent.body.key.id;

    const sendEvent = await hookA.waitForEvent('send.message');
    expectEnvelope(sendEvent, 'send.message', 'alice', hookA.url, `${A}@s.whatsapp.net`);
    expect(sendEvent.body.data).toEqual(sent.body);

    const upsert = await hookB.waitForEvent('messages.upsert');
    expectEnvelope(upsert, 'messages.upsert', 'bob', hookB.url, `${B}@s.whatsapp.net`);
    expect(upsert.body.data).toEqual({
      key: { remoteJid: `${A}@s.whatsapp.net`, fromMe: false, id: keyId },
      pushName: 'Alice',
      status: 'DELIVERY_ACK',
      message: { conversation: 'Olá Bob 👋' },
      contextInfo: null,
      messageType: 'conversation',
      messageTimestamp: sent.body.messageTimestamp,
      instanceId: createB.body.instance.instanceId,
      source: 'web',
    });
    const contact = await hookB.waitForEvent('contacts.upsert');
    expect(contact.body.data).toEqual({ remoteJid: `${A}@s.whatsapp.net`, pushName: 'Alice', profilePicUrl: null, instanceId: createB.body.instance.instanceId });
    const chat = await hookB.waitForEvent('chats.upsert');
    expect(chat.body.data).toEqual([{ remoteJid: `${A}@s.whatsapp.net`, instanceId: createB.body.instance.instanceId, name: 'Alice', unreadMessages: 1 }]);

    for (const status of ['SERVER_ACK', 'DELIVERY_ACK']) {
      const ack = await hookA.waitForEvent('messages.update', (r) => r.body.data.status === status);
      expectEnvelope(ack, 'messages.update', 'alice', hookA.url, `${A}@s.whatsapp.net`);
      expect(Object.keys(ack.body.data).sort()).toEqual(['fromMe', 'instanceId', 'keyId', 'messageId', 'remoteJid', 'status']);
      expect(ack.body.data).toMatchObject({ keyId, remoteJid: `${B}@s.whatsapp.net`, fromMe: true, status, instanceId: createA.body.instance.instanceId });
    }

    // Bob reads: Alice gets READ.
    const read = await server.call('POST', '/chat/markMessageAsRead/bob', { readMessages: [{ id: keyId, fromMe: false, remoteJid: `${A}@s.whatsapp.net` }] }, tokenB);
    expect(read).toMatchObject({ status: 201, body: { message: 'Read messages', read: 'success' } });
    await hookA.waitForEvent('messages.update', (r) => r.body.data.status === 'READ');
    const acks = hookA.events('messages.update').map((r) => r.body.data.status);
    expect(acks).toEqual(['SERVER_ACK', 'DELIVERY_ACK', 'READ']);

    // Bob answers; a contact outside the sandbox writes to Bob.
    const reply = await server.call('POST', '/message/sendText/bob', { number: A, text: 'hi Alice' }, tokenB);
    expect(reply.status).toBe(201);
    await hookA.waitForEvent('messages.upsert', (r) => r.body.data.message.conversation === 'hi Alice');
    const inbound = await server.call('POST', '/sandbox/inbound/bob', { from: '5511988887777', pushName: 'Carla', text: 'from outside', id: 'ABCDEF0123456789' });
    expect(inbound.status).toBe(201);
    await hookB.waitForEvent('messages.upsert', (r) => r.body.data.key.id === 'ABCDEF0123456789');

    // Read back with the upstream envelopes.
    const messagesB = await server.call('POST', '/chat/findMessages/bob', { where: { key: { remoteJid: A } } }, tokenB);
    expect(messagesB.status).toBe(200);
    expect(messagesB.body.messages).toMatchObject({ total: 2, pages: 1, currentPage: 1 });
    expect(messagesB.body.messages.records.map((m: any) => m.key.fromMe)).toEqual(expect.arrayContaining([true, false]));
    const paged = await server.call('POST', '/chat/findMessages/bob', { page: 2, offset: 1 }, tokenB);
    expect(paged.body.messages).toMatchObject({ total: 3, pages: 3, currentPage: 2 });
    expect(paged.body.messages.records).toHaveLength(1);

    const messagesA = await server.call('POST', '/chat/findMessages/alice', { where: { key: { id: keyId } } }, tokenA);
    expect(messagesA.body.messages.records).toHaveLength(1);
    expect(messagesA.body.messages.records[0]).toMatchObject({ status: 'READ', MessageUpdate: [{ status: 'SERVER_ACK' }, { status: 'DELIVERY_ACK' }, { status: 'READ' }] });

    const chatsB = await server.call('POST', '/chat/findChats/bob', {}, tokenB);
    expect(chatsB.status).toBe(200);
    expect(chatsB.body.map((c: any) => c.remoteJid)).toEqual(['5511988887777@s.whatsapp.net', `${A}@s.whatsapp.net`]);
    expect(chatsB.body[0]).toMatchObject({ pushName: 'Carla', unreadCount: 1, windowActive: true, lastMessage: { message: { conversation: 'from outside' } } });
    expect(chatsB.body[1]).toMatchObject({ pushName: 'Alice', unreadCount: 0, lastMessage: { message: { conversation: 'hi Alice' } } });

    const contactsB = await server.call('POST', '/chat/findContacts/bob', {}, tokenB);
    expect(contactsB.body.map((c: any) => c.pushName).sort()).toEqual(['Alice', 'Carla']);
    expect(contactsB.body[0]).toMatchObject({ isGroup: false, isSaved: true, type: 'contact' });
    const oneContact = await server.call('POST', '/chat/findContacts/bob', { where: { remoteJid: `${A}@s.whatsapp.net` } }, tokenB);
    expect(oneContact.body).toHaveLength(1);

    // Every body on both receivers is a well-formed envelope for its instance.
    for (const [hook, name] of [[hookA, 'alice'], [hookB, 'bob']] as const) {
      for (const r of hook.received) {
        expect(r.body.instance).toBe(name);
        expect(r.body.destination).toBe(hook.url);
        expect(typeof r.body.event).toBe('string');
      }
    }
  });

  it('answers the welcome route and serves the OpenAPI document', async () => {
    const root = await server.call('GET', '/', undefined, null);
    expect(root.status).toBe(200);
    expect(root.body).toMatchObject({ status: 200, message: 'Welcome to the Evolution API, it is working!', version: '2.3.6', clientName: 'evolution' });
    const docs = await server.call('GET', '/docs/json', undefined, null);
    expect(docs.status).toBe(200);
    expect(Object.keys(docs.body.paths)).toEqual(expect.arrayContaining(['/instance/create', '/message/sendText/{instanceName}', '/chat/findMessages/{instanceName}', '/sandbox/scan/{instanceName}']));
  });

  it('survives a restart: connected sandbox instances come back open with their data', async () => {
    const dir = server.dir;
    const env = server.env;
    await server.stop({ keepData: true });
    server = await startTestServer(env, dir);
    await waitFor(async () => (await server.call('GET', '/instance/connectionState/alice')).body?.instance?.state === 'open', 5000, 'alice open');
    expect((await server.call('GET', '/instance/connectionState/bob')).body.instance.state).toBe('open');
    const again = await server.call('POST', '/message/sendText/alice', { number: '5511900000002', text: 'after restart' });
    expect(again.status).toBe(201);
    await hookB.waitForEvent('messages.upsert', (r) => r.body.data.message.conversation === 'after restart');
    const list = await server.call('GET', '/instance/fetchInstances');
    expect(list.body.find((i: any) => i.name === 'bob')).toMatchObject({ connectionStatus: 'open', ownerJid: '5511900000002@s.whatsapp.net', _count: { Message: 4, Contact: 2, Chat: 2 } });
  });
}, 60_000);

describe('connectedSandbox helper', () => {
  it('is usable by other suites', async () => {
    const s = await startTestServer();
    try {
      const token = await connectedSandbox(s, 'x', '5511911112222');
      expect((await s.call('GET', '/instance/connectionState/x', undefined, token)).body.instance.state).toBe('open');
    } finally {
      await s.stop();
    }
  });
});

describe('CORS', () => {
  it('answers preflights for browser clients (CORS_ORIGIN, default *)', async () => {
    const s = await startTestServer({ CORS_ORIGIN: 'https://app.example' });
    try {
      const res = await fetch(`${s.url}/instance/fetchInstances`, { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'apikey' } });
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example');
      expect(res.headers.get('access-control-allow-headers')).toContain('apikey');
      const other = await fetch(`${s.url}/`, { headers: { origin: 'https://evil.example' } });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await s.stop();
    }
  });
});
