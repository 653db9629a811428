import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookReceiver } from '../helpers/receiver.js';
import { startTestServer, waitFor, type TestServer } from '../helpers/server.js';

const NUMBER_ID = '5511900001111';
const OTHER_ID = '5511900002222';
const JID = '5511988887777@s.whatsapp.net';

describe('EVOLUTION channel: authenticated /webhook/evolution and outbound', () => {
  let server: TestServer;
  const hook = new WebhookReceiver();
  const outbound = new WebhookReceiver();
  let token: string;
  let otherToken: string;
  let instanceId: string;
  let n = 0;

  beforeAll(async () => {
    await hook.start();
    await outbound.start();
    server = await startTestServer();
    const created = await server.call('POST', '/instance/create', { instanceName: 'evo', integration: 'EVOLUTION', number: NUMBER_ID, webhook: { url: hook.url, events: [] } });
    expect(created.status).toBe(201);
    expect(created.body.instance.status).toBe('open');
    token = created.body.hash;
    instanceId = created.body.instance.instanceId;
    otherToken = (await server.call('POST', '/instance/create', { instanceName: 'evo-other', integration: 'EVOLUTION', number: OTHER_ID })).body.hash;
  });
  afterAll(async () => {
    await server?.stop();
    await hook.stop();
    await outbound.stop();
  });

  const body = (id: string, text = 'hello from the other system') => ({ numberId: NUMBER_ID, key: { id, remoteJid: JID, fromMe: false }, pushName: 'Ana', message: { conversation: text }, messageType: 'conversation' });
  const post = (payload: unknown, headers: Record<string, string> = {}) => server.call('POST', '/webhook/evolution', payload, null, headers);
  const stored = async (id: string) => (await server.call('POST', '/chat/findMessages/evo', { where: { key: { id } } })).body.messages.total as number;
  const newId = () => `EVO${++n}${Date.now()}`;

  it('the instance token in apikey: stored, then 200, announced as messages.upsert', async () => {
    const id = newId();
    const res = await post(body(id), { apikey: token });
    expect(res).toMatchObject({ status: 200, body: { status: 'success' } });
    expect(await stored(id)).toBe(1);
    const upsert = await hook.waitForEvent('messages.upsert', (r) => r.body.data.key.id === id);
    expect(upsert.body.data).toMatchObject({ key: { id, remoteJid: JID, fromMe: false }, pushName: 'Ana', message: { conversation: 'hello from the other system' }, messageType: 'conversation', source: 'unknown', instanceId });
  });

  it('a signature keyed with the token, or the global key, also authenticate', async () => {
    const id = newId();
    const raw = JSON.stringify(body(id));
    const signature = `sha256=${createHmac('sha256', token).update(raw).digest('hex')}`;
    expect((await post(raw, { 'x-hub-signature-256': signature })).status).toBe(200);
    expect(await stored(id)).toBe(1);
    const byGlobal = newId();
    expect((await post(body(byGlobal), { apikey: server.key })).status).toBe(200);
    expect(await stored(byGlobal)).toBe(1);
  });

  it('no key, a wrong key, another instance\'s token or a wrong signature: 401 and nothing stored', async () => {
    const id = newId();
    for (const headers of <Array<Record<string, string>>>[{}, { apikey: 'wrong-key-123' }, { apikey: otherToken }, { 'x-hub-signature-256': `sha256=${createHmac('sha256', 'nope').update(JSON.stringify(body(id))).digest('hex')}` }]) {
      const res = await post(body(id), headers);
      expect(res.status, JSON.stringify(headers)).toBe(401);
      expect(res.body).toMatchObject({ status: 401, error: 'Unauthorized' });
    }
    // An unknown numberId says nothing without a key; with the global key it is upstream's empty 200.
    expect((await post({ ...body(id), numberId: '999' })).status).toBe(401);
    const unknown = await post({ ...body(id), numberId: '999' }, { apikey: server.key });
    expect(unknown.status).toBe(200);
    expect(unknown.body).toBeUndefined();
    expect(await stored(id)).toBe(0);
  });

  it('an authenticated but malformed body is a 400 in the upstream shape', async () => {
    const res = await post({ numberId: NUMBER_ID, key: { remoteJid: JID } }, { apikey: token });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 400, error: 'Bad Request' });
  });

  it('outbound: send.message, plus the envelope POSTed (signed) to the outbound endpoint through the outbox', async () => {
    const set = await server.call('POST', '/evolution/outbound/evo', { outbound: { url: `${outbound.url}/out`, headers: { 'x-tenant': 'acme' }, secret: 'outbound-secret-1' } }, token);
    expect(set).toMatchObject({ status: 200, body: { outbound: { url: `${outbound.url}/out`, headers: { 'x-tenant': 'acme' }, signed: true } } });
    expect((await server.call('GET', '/evolution/outbound/evo', undefined, token)).body).toEqual(set.body);
    expect((await server.call('GET', '/evolution/outbound/evo-other', undefined, token)).status).toBe(401);

    const sent = await server.call('POST', '/message/sendText/evo', { number: '5511988887777', text: 'to the other system' }, token);
    expect(sent.status).toBe(201);
    const id = sent.body.key.id;
    const announced = await hook.waitForEvent('send.message', (r) => r.body.data.key.id === id);
    const posted = await waitFor(() => outbound.received.find((r) => r.body?.data?.key?.id === id), 5000, 'the outbound post');
    expect(posted.path).toBe('/out');
    expect(posted.headers['x-tenant']).toBe('acme');
    expect(posted.body).toMatchObject({ event: 'send.message', instance: 'evo', data: announced.body.data, destination: `${outbound.url}/out` });
    const expected = createHmac('sha256', 'outbound-secret-1').update(`${posted.headers['evox-time']}.${posted.raw}`).digest('hex');
    expect(posted.headers['evox-signature']).toBe(expected);
    // Only sends go there.
    expect(outbound.received.every((r) => r.body.event === 'send.message')).toBe(true);

    await server.call('POST', '/evolution/outbound/evo', { outbound: null }, token);
    const after = await server.call('POST', '/message/sendText/evo', { number: '5511988887777', text: 'not posted' }, token);
    await hook.waitForEvent('send.message', (r) => r.body.data.key.id === after.body.key.id);
    expect(outbound.received.some((r) => r.body?.data?.key?.id === after.body.key.id)).toBe(false);
  });
});

describe('EVOLUTION_INBOUND_AUTH=false (upstream behaviour, opt-in)', () => {
  it('accepts unauthenticated posts', async () => {
    const server = await startTestServer({ EVOLUTION_INBOUND_AUTH: 'false' });
    try {
      await server.call('POST', '/instance/create', { instanceName: 'evo-open', integration: 'EVOLUTION', number: NUMBER_ID });
      const res = await server.call('POST', '/webhook/evolution', { numberId: NUMBER_ID, key: { id: 'OPEN1', remoteJid: JID, fromMe: false }, message: { conversation: 'x' } }, null);
      expect(res).toMatchObject({ status: 200, body: { status: 'success' } });
    } finally {
      await server.stop();
    }
  });
});
