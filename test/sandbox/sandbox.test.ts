import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectedSandbox, startTestServer, waitFor, type TestServer } from '../helpers/server.js';
import { WebhookReceiver } from '../helpers/receiver.js';

describe('sandbox channel behaves like a real WhatsApp connection', () => {
  let server: TestServer;
  const hook = new WebhookReceiver();

  beforeAll(async () => {
    await hook.start();
    server = await startTestServer({ QRCODE_REFRESH_MS: '80', QRCODE_LIMIT: '3' });
  });
  afterAll(async () => {
    await server?.stop();
    await hook.stop();
  });

  const eventsOf = (instance: string, event: string) => hook.events(event).filter((r) => r.body.instance === instance);

  it('refreshes the QR code until QRCODE_LIMIT, then refuses and closes', async () => {
    const created = await server.call('POST', '/instance/create', { instanceName: 'qr', integration: 'SANDBOX', qrcode: true, webhook: { url: hook.url, events: ['QRCODE_UPDATED', 'CONNECTION_UPDATE'] } });
    expect(created.status).toBe(201);
    await hook.waitForEvent('connection.update', (r) => r.body.instance === 'qr' && r.body.data.state === 'refused', 3000);
    const qrs = eventsOf('qr', 'qrcode.updated').map((r) => r.body.data);
    expect(qrs).toHaveLength(4);
    expect(new Set(qrs.slice(0, 3).map((d) => d.qrcode.code)).size).toBe(3);
    expect(qrs[3]).toEqual({ message: 'QR code limit reached, please login again', statusCode: 500 });
    expect(eventsOf('qr', 'connection.update').at(-1)!.body.data).toMatchObject({ instance: 'qr', state: 'refused', statusReason: 428 });
    expect((await server.call('GET', '/instance/connectionState/qr')).body.instance.state).toBe('close');
    // A new connect starts over with a fresh QR.
    const again = await server.call('GET', '/instance/connect/qr');
    expect(again.body).toMatchObject({ count: 1, pairingCode: null });
    await server.call('DELETE', '/instance/delete/qr');
  });

  it('gives a pairing code when connect is called with a number, and the QR again while connecting', async () => {
    await server.call('POST', '/instance/create', { instanceName: 'pair', integration: 'SANDBOX' });
    expect((await server.call('GET', '/instance/connectionState/pair')).body.instance.state).toBe('close');
    const res = await server.call('GET', '/instance/connect/pair?number=5511933334444');
    expect(res.status).toBe(200);
    expect(res.body.pairingCode).toMatch(/^[A-Z0-9]{8}$/);
    expect(res.body.code).toMatch(/^2@/);
    const same = await server.call('GET', '/instance/connect/pair');
    expect(same.body.code).toBe(res.body.code);
    await server.call('POST', '/sandbox/scan/pair', { number: '5511933334444' });
    expect((await server.call('GET', '/instance/connect/pair')).body).toEqual({ instance: { instanceName: 'pair', state: 'open' } });
    const scanTwice = await server.call('POST', '/sandbox/scan/pair', { number: '5511933334444' });
    expect(scanTwice.status).toBe(400);
  });

  it('reconnects by itself after a recoverable drop, with an event for each step', async () => {
    await connectedSandbox(server, 'drop', '5511955556666', { webhook: { url: hook.url, events: ['CONNECTION_UPDATE'] } });
    await waitFor(() => eventsOf('drop', 'connection.update').length === 2, 3000, 'connecting, open');
    for (const reason of [408, 428, 440, 500, 515]) {
      const before = eventsOf('drop', 'connection.update').length;
      const res = await server.call('POST', '/sandbox/disconnect/drop', { statusReason: reason });
      expect(res.body.instance.state).toBe('open');
      await waitFor(() => eventsOf('drop', 'connection.update').length >= before + 2, 3000, 'reconnect events');
      const step = eventsOf('drop', 'connection.update').slice(before).map((r) => r.body.data);
      expect(step).toHaveLength(2);
      expect(step).toContainEqual({ instance: 'drop', state: 'connecting', statusReason: reason });
      expect(step).toContainEqual(expect.objectContaining({ instance: 'drop', state: 'open', statusReason: 200, wuid: '5511955556666@s.whatsapp.net' }));
    }
  });

  it('logged out by the phone: closes, clears credentials, needs a new QR, even after a restart', async () => {
    await connectedSandbox(server, 'lo', '5511977778888', { webhook: { url: hook.url, events: [] } });
    const res = await server.call('POST', '/sandbox/disconnect/lo', { statusReason: 401 });
    expect(res.body.instance.state).toBe('close');
    await hook.waitForEvent('logout.instance', (r) => r.body.instance === 'lo');
    expect(eventsOf('lo', 'connection.update').at(-1)!.body.data).toEqual({ instance: 'lo', state: 'close', statusReason: 401 });
    const status = await hook.waitForEvent('status.instance', (r) => r.body.instance === 'lo');
    expect(status.body.data).toMatchObject({ instance: 'lo', status: 'closed', disconnectionReasonCode: 401 });
    const row = (await server.call('GET', '/instance/fetchInstances?instanceName=lo')).body[0];
    expect(row).toMatchObject({ connectionStatus: 'close', disconnectionReasonCode: 401 });

    const dir = server.dir;
    const env = server.env;
    await server.stop({ keepData: true });
    server = await startTestServer(env, dir);
    expect((await server.call('GET', '/instance/connectionState/lo')).body.instance.state).toBe('close');
    expect((await server.call('GET', '/instance/connect/lo')).body).toMatchObject({ count: 1 });
  });

  it('logout and delete through the API', async () => {
    const token = await connectedSandbox(server, 'gone', '5511922223333', { webhook: { url: hook.url, events: [] } });
    const out = await server.call('DELETE', '/instance/logout/gone', undefined, token);
    expect(out).toMatchObject({ status: 200, body: { status: 'SUCCESS', error: false, response: { message: 'Instance logged out' } } });
    const twice = await server.call('DELETE', '/instance/logout/gone', undefined, token);
    expect(twice).toMatchObject({ status: 400, body: { status: 400, error: 'Bad Request', response: { message: ['The "gone" instance is not connected'] } } });
    const del = await server.call('DELETE', '/instance/delete/gone', undefined, token);
    expect(del).toMatchObject({ status: 200, body: { status: 'SUCCESS', error: false, response: { message: 'Instance deleted' } } });
    const deleted = await hook.waitForEvent('instance.delete', (r) => r.body.instance === 'gone');
    expect(deleted.body.data).toMatchObject({ instanceName: 'gone' });
    await hook.waitForEvent('remove.instance', (r) => r.body.instance === 'gone' && r.body.data === null);
    expect((await server.call('GET', '/instance/connectionState/gone')).status).toBe(404);
    expect((await server.call('GET', '/instance/connectionState/gone', undefined, token)).status).toBe(401);
  });

  it('a simulated contact acknowledges; unknown numbers are refused; whatsappNumbers follows the sandbox rule', async () => {
    const token = await connectedSandbox(server, 'solo', '5511944445555', { webhook: { url: hook.url, events: ['MESSAGES_UPDATE'] } });
    const sent = await server.call('POST', '/message/sendText/solo', { number: '+55 (11) 98888-0000', text: 'hello' }, token);
    expect(sent.status).toBe(201);
    expect(sent.body.key.remoteJid).toBe('5511988880000@s.whatsapp.net');
    await waitFor(() => eventsOf('solo', 'messages.update').length === 2, 3000, 'two acks');
    expect(eventsOf('solo', 'messages.update').map((r) => r.body.data.status)).toEqual(['SERVER_ACK', 'DELIVERY_ACK']);
    const played = await server.call('POST', '/sandbox/status/solo', { keyId: sent.body.key.id, status: 'READ' });
    expect(played.status).toBe(201);
    await waitFor(() => eventsOf('solo', 'messages.update').length === 3, 3000, 'read ack');

    const refused = await server.call('POST', '/message/sendText/solo', { number: '0001234567', text: 'x' }, token);
    expect(refused).toMatchObject({ status: 400, body: { status: 400, error: 'Bad Request', response: { message: [{ jid: '0001234567@s.whatsapp.net', exists: false, number: '0001234567' }] } } });
    const numbers = await server.call('POST', '/chat/whatsappNumbers/solo', { numbers: ['5511944445555', '123', '0009999999999', '5511900001111'] }, token);
    expect(numbers.body.map((n: any) => n.exists)).toEqual([true, false, false, true]);
    expect(numbers.body[0]).toMatchObject({ jid: '5511944445555@s.whatsapp.net', number: '5511944445555', name: 'Sandbox 5555' });
    const pic = await server.call('POST', '/chat/fetchProfilePictureUrl/solo', { number: '5511900001111' }, token);
    expect(pic.body).toEqual({ wuid: '5511900001111@s.whatsapp.net', profilePictureUrl: null });
  });

  it('honours settings: groupsIgnore drops group messages, readMessages marks inbound read', async () => {
    const tokenA = await connectedSandbox(server, 'setA', '5511966660001', { webhook: { url: hook.url, events: ['MESSAGES_UPSERT', 'MESSAGES_UPDATE'] } });
    await connectedSandbox(server, 'setB', '5511966660002');
    const settings = { rejectCall: false, groupsIgnore: true, alwaysOnline: false, readMessages: true, readStatus: false, syncFullHistory: false };
    const set = await server.call('POST', '/settings/set/setB', settings);
    expect(set).toMatchObject({ status: 201, body: { settings: { instanceName: 'setB', settings: { ...settings, msgCall: '', wavoipToken: '' } } } });
    expect((await server.call('GET', '/settings/find/setB')).body).toEqual({ ...settings, msgCall: '', wavoipToken: '' });

    const group = await server.call('POST', '/sandbox/inbound/setB', { from: '5511912340000', groupJid: '120363025555555555@g.us', text: 'group hello' });
    expect(group.status).toBe(201);
    const stored = await server.call('POST', '/chat/findMessages/setB', {});
    expect(stored.body.messages.total).toBe(0);

    const sent = await server.call('POST', '/message/sendText/setA', { number: '5511966660002', text: 'read me' }, tokenA);
    await waitFor(() => eventsOf('setA', 'messages.update').some((r) => r.body.data.keyId === sent.body.key.id && r.body.data.status === 'READ'), 3000, 'READ from auto-read');
  });

  it('sendText with delay shows composing first; quoted and mentions go into contextInfo', async () => {
    const token = await connectedSandbox(server, 'ctx', '5511987650000');
    const first = await server.call('POST', '/message/sendText/ctx', { number: '5511900002222', text: 'first' }, token);
    const started = Date.now();
    const res = await server.call('POST', '/message/sendText/ctx', { number: '5511900002222', text: 'second', delay: 300, quoted: { key: { id: first.body.key.id } }, mentioned: ['5511900003333'] }, token);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(res.status).toBe(201);
    expect(res.body.message).toEqual({ conversation: 'second' });
    expect(res.body.contextInfo).toEqual({ stanzaId: first.body.key.id, participant: '5511987650000@s.whatsapp.net', quotedMessage: { conversation: 'first' }, mentionedJid: ['5511900003333@s.whatsapp.net'] });
    const missing = await server.call('POST', '/message/sendText/ctx', { number: '5511900002222', text: 'x', quoted: { key: { id: 'NOPE' } } }, token);
    expect(missing.status).toBe(400);
    const blank = await server.call('POST', '/message/sendText/ctx', { number: '5511900002222', text: '   ' }, token);
    expect(blank.body).toEqual({ status: 400, error: 'Bad Request', response: { message: ['Text is required'] } });
  });

  it('a logged-out number is a plain contact again; setPresence and restart of an open instance', async () => {
    const tokenA = await connectedSandbox(server, 'offA', '5511955550001');
    await connectedSandbox(server, 'offB', '5511955550002');
    expect((await server.call('POST', '/sandbox/disconnect/offB', { statusReason: 401 })).status).toBe(200);
    const sent = await server.call('POST', '/message/sendText/offA', { number: '5511955550002', text: 'anyone?' }, tokenA);
    expect(sent.status).toBe(201);
    const setPresence = await server.call('POST', '/instance/setPresence/offA', { presence: 'available' }, tokenA);
    expect(setPresence).toMatchObject({ status: 201, body: { presence: 'available' } });
    const restart = await server.call('POST', '/instance/restart/offA', undefined, tokenA);
    expect(restart.body).toEqual({ instance: { instanceName: 'offA', state: 'open' } });
  });
});
