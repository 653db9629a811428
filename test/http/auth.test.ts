/**
 * Authentication and tenant isolation for every route in scope: success path per route (global key and
 * instance token), missing/wrong apikey, another instance's token, unknown instances, unknown paths, OpenAPI.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectedSandbox, startTestServer, type TestServer } from '../helpers/server.js';
import {
  ALL_ROUTES,
  CONTACT,
  CREATE_ROUTE,
  INSTANCE_ROUTES,
  SANDBOX_ROUTES,
  UNAUTHORIZED,
  instanceMissing,
  settled,
  snapshot,
  type RouteCase,
} from './routes.js';

let server: TestServer;
let tokenA: string;
let tokenB: string;
let idB: string;
let seq = 0;
const fresh = (prefix: string) => `${prefix}-${++seq}`;

const A = 'alpha';
const B = 'bravo';
const NUMBER_A = '5511900000001';
const NUMBER_B = '5511900000002';

beforeAll(async () => {
  server = await startTestServer();
  tokenA = await connectedSandbox(server, A, NUMBER_A);
  tokenB = await connectedSandbox(server, B, NUMBER_B);
  // Give B data of every kind so a leak or a change is visible.
  const ok = (r: { status: number; body: unknown }, status: number) => expect(r.status, JSON.stringify(r.body)).toBe(status);
  ok(await server.call('POST', `/settings/set/${B}`, { rejectCall: false, msgCall: 'B-busy', groupsIgnore: false, alwaysOnline: false, readMessages: false, readStatus: true, syncFullHistory: false }), 201);
  ok(await server.call('POST', `/webhook/set/${B}`, { webhook: { enabled: false, url: 'http://127.0.0.1:9/b-hook', headers: { 'x-b': '1' } } }), 201);
  ok(await server.call('POST', `/message/sendText/${B}`, { number: CONTACT, text: 'from B' }), 201);
  ok(await server.call('POST', `/sandbox/inbound/${B}`, { from: CONTACT, pushName: 'Carol', text: 'to B' }), 201);
  const rows = await server.call('GET', `/instance/fetchInstances?instanceName=${B}`);
  idB = rows.body[0].id;
});

afterAll(async () => {
  await server?.stop();
});

/** What each instance route answers on success, checked on a fresh connected instance. */
const SUCCESS: Record<string, { status: number; check: (body: any, name: string, token: string) => void | Promise<void> }> = {
  'GET /instance/connect': { status: 200, check: (b, n) => expect(b).toEqual({ instance: { instanceName: n, state: 'open' } }) },
  'GET /instance/connectionState': { status: 200, check: (b, n) => expect(b).toEqual({ instance: { instanceName: n, state: 'open' } }) },
  'POST /instance/restart': { status: 200, check: (b, n) => expect(b).toEqual({ instance: { instanceName: n, state: 'open' } }) },
  'PUT /instance/restart': { status: 200, check: (b, n) => expect(b).toEqual({ instance: { instanceName: n, state: 'open' } }) },
  'DELETE /instance/logout': {
    status: 200,
    check: async (b, n, token) => {
      expect(b).toEqual({ status: 'SUCCESS', error: false, response: { message: 'Instance logged out' } });
      // the instance and its token survive a logout
      expect((await server.call('GET', `/instance/connectionState/${n}`, undefined, token)).body).toEqual({ instance: { instanceName: n, state: 'close' } });
    },
  },
  'DELETE /instance/delete': {
    status: 200,
    check: async (b, n, token) => {
      expect(b).toEqual({ status: 'SUCCESS', error: false, response: { message: 'Instance deleted' } });
      expect(await server.call('GET', `/instance/connectionState/${n}`)).toMatchObject({ status: 404, body: instanceMissing(n) });
      // a deleted instance's token opens nothing any more
      expect(await server.call('GET', `/instance/connectionState/${n}`, undefined, token)).toMatchObject({ status: 401, body: UNAUTHORIZED });
      expect(await server.call('GET', '/instance/fetchInstances', undefined, token)).toMatchObject({ status: 401, body: UNAUTHORIZED });
    },
  },
  'POST /instance/setPresence': { status: 201, check: (b) => expect(b).toEqual({ presence: 'available' }) },
  'POST /message/sendText': {
    status: 201,
    check: (b) => {
      expect(b).toMatchObject({ key: { remoteJid: `${CONTACT}@s.whatsapp.net`, fromMe: true }, pushName: 'Você', status: 'PENDING', message: { conversation: 'hello' }, messageType: 'conversation', source: 'web' });
      expect(typeof b.key.id).toBe('string');
      expect(typeof b.instanceId).toBe('string');
      expect(Number.isInteger(b.messageTimestamp)).toBe(true);
    },
  },
  'POST /chat/findMessages': { status: 200, check: (b) => expect(b).toEqual({ messages: { total: 0, pages: 0, currentPage: 1, records: [] } }) },
  'POST /chat/findChats': { status: 200, check: (b) => expect(b).toEqual([]) },
  'POST /chat/findContacts': { status: 200, check: (b) => expect(b).toEqual([]) },
  'POST /chat/markMessageAsRead': { status: 201, check: (b) => expect(b).toEqual({ message: 'Read messages', read: 'success' }) },
  'POST /chat/whatsappNumbers': { status: 200, check: (b) => expect(b).toEqual([{ jid: `${CONTACT}@s.whatsapp.net`, exists: true, number: CONTACT }]) },
  'POST /chat/fetchProfilePictureUrl': { status: 200, check: (b) => expect(b).toEqual({ wuid: `${CONTACT}@s.whatsapp.net`, profilePictureUrl: null }) },
  'POST /settings/set': {
    status: 201,
    check: (b, n) =>
      expect(b).toEqual({ settings: { instanceName: n, settings: { rejectCall: true, msgCall: 'busy', groupsIgnore: true, alwaysOnline: false, readMessages: false, readStatus: false, syncFullHistory: false, wavoipToken: '' } } }),
  },
  'GET /settings/find': {
    status: 200,
    check: (b) => expect(b).toEqual({ rejectCall: false, msgCall: '', groupsIgnore: false, alwaysOnline: false, readMessages: false, readStatus: false, syncFullHistory: false, wavoipToken: '' }),
  },
  'POST /webhook/set': {
    status: 201,
    check: (b) => {
      expect(b).toMatchObject({ url: 'http://127.0.0.1:9/hook', enabled: true, events: ['MESSAGES_UPSERT'], webhookByEvents: false, webhookBase64: false });
      expect(Object.keys(b).sort()).toEqual(['createdAt', 'enabled', 'events', 'headers', 'id', 'instanceId', 'updatedAt', 'url', 'webhookBase64', 'webhookByEvents']);
    },
  },
  'GET /webhook/find': { status: 200, check: (b) => expect(b).toBeNull() },
};

const call = (r: RouteCase, name: string, apikey?: string | null) => server.call(r.method, r.path(name), r.body, apikey);

describe('success path', () => {
  it('covers every instance route', () => {
    expect(Object.keys(SUCCESS).sort()).toEqual(INSTANCE_ROUTES.map((r) => r.label).sort());
  });

  for (const keyKind of ['global key', 'own instance token'] as const) {
    it.each(INSTANCE_ROUTES)(`$label with the ${keyKind}`, async (route) => {
      const name = fresh('ok');
      const token = await connectedSandbox(server, name, `55119100${String(seq).padStart(5, '0')}`);
      const res = await call(route, name, keyKind === 'global key' ? server.key : token);
      const expected = SUCCESS[route.label]!;
      expect(res.status, JSON.stringify(res.body)).toBe(expected.status);
      await expected.check(res.body, name, token);
    });
  }

  it('POST /instance/create returns 201 with instance, hash and settings', async () => {
    const name = fresh('created');
    const res = await server.call('POST', '/instance/create', { instanceName: name, integration: 'SANDBOX', qrcode: true, rejectCall: true });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.instance).toMatchObject({ instanceName: name, integration: 'SANDBOX', status: 'connecting' });
    expect(typeof res.body.instance.instanceId).toBe('string');
    expect(typeof res.body.hash).toBe('string');
    expect(res.body.settings).toMatchObject({ rejectCall: true, groupsIgnore: false });
    expect(res.body.qrcode).toMatchObject({ count: 1 });
    expect(res.body.qrcode.base64).toMatch(/^data:image\/png;base64,/);
    // the returned hash is the instance's apikey
    expect((await server.call('GET', `/instance/connectionState/${name}`, undefined, res.body.hash)).status).toBe(200);
  });

  it('GET /instance/fetchInstances with the global key lists every instance in the Prisma row shape', async () => {
    const res = await server.call('GET', '/instance/fetchInstances');
    expect(res.status).toBe(200);
    const names = res.body.map((r: any) => r.name);
    expect(names).toEqual(expect.arrayContaining([A, B]));
    const b = res.body.find((r: any) => r.name === B);
    expect(b).toMatchObject({ id: idB, name: B, connectionStatus: 'open', ownerJid: `${NUMBER_B}@s.whatsapp.net`, integration: 'SANDBOX', token: tokenB });
    expect(b._count).toEqual({ Message: 2, Contact: 1, Chat: 1 });
    expect(b.Setting).toMatchObject({ msgCall: 'B-busy' });
  });

  it('GET /instance/fetchInstances filters by instanceName, instanceId and number', async () => {
    expect((await server.call('GET', `/instance/fetchInstances?instanceName=${B}`)).body.map((r: any) => r.name)).toEqual([B]);
    expect((await server.call('GET', `/instance/fetchInstances?instanceId=${idB}`)).body.map((r: any) => r.name)).toEqual([B]);
    const ghost = await server.call('GET', '/instance/fetchInstances?instanceName=ghost');
    expect(ghost).toMatchObject({ status: 404, body: { status: 404, error: 'Not Found', response: { message: ['Instance "ghost" not found'] } } });
  });

  it('GET /instance/fetchInstances with an instance token returns only that instance', async () => {
    const res = await server.call('GET', '/instance/fetchInstances', undefined, tokenA);
    expect(res.status).toBe(200);
    expect(res.body.map((r: any) => r.name)).toEqual([A]);
    expect(res.body[0].token).toBe(tokenA);
  });

  describe('sandbox routes', () => {
    it('POST /sandbox/scan opens a connecting instance as the given number', async () => {
      const name = fresh('scan');
      expect((await server.call('POST', '/instance/create', { instanceName: name, integration: 'SANDBOX', qrcode: true })).status).toBe(201);
      const res = await server.call('POST', `/sandbox/scan/${name}`, { number: '5511920000001' });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toEqual({ instance: { instanceName: name, state: 'open', wuid: '5511920000001@s.whatsapp.net' } });
    });

    it('POST /sandbox/inbound stores the message and answers 201 with it', async () => {
      const name = fresh('inb');
      await connectedSandbox(server, name, '5511920000002');
      const res = await server.call('POST', `/sandbox/inbound/${name}`, { from: CONTACT, text: 'hi there' });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body).toMatchObject({ key: { remoteJid: `${CONTACT}@s.whatsapp.net`, fromMe: false }, message: { conversation: 'hi there' } });
      const found = await server.call('POST', `/chat/findMessages/${name}`, {});
      expect(found.body.messages.total).toBe(1);
    });

    it('POST /sandbox/status acknowledges a sent message', async () => {
      const name = fresh('ack');
      await connectedSandbox(server, name, '5511920000003');
      const sent = await server.call('POST', `/message/sendText/${name}`, { number: CONTACT, text: 'read me' });
      const res = await server.call('POST', `/sandbox/status/${name}`, { keyId: sent.body.key.id, status: 'READ' });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body).toEqual({ keyId: sent.body.key.id, remoteJid: `${CONTACT}@s.whatsapp.net`, status: 'READ' });
    });

    it('POST /sandbox/disconnect drops the connection', async () => {
      const name = fresh('drop');
      await connectedSandbox(server, name, '5511920000004');
      const res = await server.call('POST', `/sandbox/disconnect/${name}`, { statusReason: 401 });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toEqual({ instance: { instanceName: name, state: 'close' } });
    });
  });
});

describe('missing or wrong apikey -> 401 with the exact upstream body', () => {
  const keys: Array<[string, string | null]> = [
    ['no apikey header', null],
    ['an empty apikey', ''],
    ['a wrong apikey', 'definitely-not-the-key'],
    ['the global key with different case', 'TEST-GLOBAL-KEY-0123456789'],
    ['a prefix of the global key', 'test-global-key-012345678'],
  ];
  for (const [what, key] of keys) {
    it.each(ALL_ROUTES)(`$label with ${what}`, async (route) => {
      const res = await call(route, A, key);
      expect(res.status).toBe(401);
      expect(res.body).toEqual(UNAUTHORIZED);
    });
  }

  it('a malformed body is not even looked at without a key (auth runs first)', async () => {
    for (const route of ALL_ROUTES.filter((r) => r.method !== 'GET')) {
      const res = await server.call(route.method, route.path(A), '{"broken', null);
      expect(res.status, route.label).toBe(401);
      expect(res.body).toEqual(UNAUTHORIZED);
    }
  });

  it('rejected calls changed nothing: alpha is still there and open, no instance was created', async () => {
    expect((await server.call('GET', `/instance/connectionState/${A}`)).body).toEqual({ instance: { instanceName: A, state: 'open' } });
    expect((await server.call('GET', '/instance/fetchInstances?instanceName=never-created')).status).toBe(404);
    expect((await server.call('POST', `/chat/findMessages/${A}`, {})).body.messages.total).toBe(0);
    expect((await server.call('GET', `/webhook/find/${A}`)).body).toBeNull();
  });

  it('the apikey header name is case-insensitive and the value is exact', async () => {
    const res = await fetch(`${server.url}/instance/connectionState/${A}`, { headers: { APIKEY: tokenA } });
    expect(res.status).toBe(200);
  });

  it('an Authorization: Bearer header is not an apikey', async () => {
    const res = await fetch(`${server.url}/instance/connectionState/${A}`, { headers: { authorization: `Bearer ${server.key}` } });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual(UNAUTHORIZED);
  });
});

describe("tenant isolation: instance A's token on instance B", () => {
  let before: Awaited<ReturnType<typeof snapshot>>;

  beforeAll(async () => {
    before = await settled(server, B);
    expect(before.messages.body.messages.total).toBe(2);
  });

  it.each(INSTANCE_ROUTES)(`$label on B's path with A's token -> 401`, async (route) => {
    const res = await call(route, B, tokenA);
    expect(res.status).toBe(401);
    expect(res.body).toEqual(UNAUTHORIZED);
  });

  it.each([...SANDBOX_ROUTES, CREATE_ROUTE])(`$label with A's token -> 401 (global key only)`, async (route) => {
    for (const name of [A, B]) {
      const res = await call(route, name, tokenA);
      expect(res.status).toBe(401);
      expect(res.body).toEqual(UNAUTHORIZED);
    }
  });

  it("A's token cannot create an instance, even one named after itself", async () => {
    const res = await server.call('POST', '/instance/create', { instanceName: 'made-by-a', integration: 'SANDBOX', token: 'chosen-token-123' }, tokenA);
    expect(res).toMatchObject({ status: 401, body: UNAUTHORIZED });
    expect((await server.call('GET', '/instance/fetchInstances?instanceName=made-by-a')).status).toBe(404);
  });

  it("A's token on fetchInstances sees only A", async () => {
    const res = await server.call('GET', '/instance/fetchInstances', undefined, tokenA);
    expect(res.status).toBe(200);
    expect(res.body.map((r: any) => r.name)).toEqual([A]);
    expect(JSON.stringify(res.body)).not.toContain(tokenB);
    expect(JSON.stringify(res.body)).not.toContain(idB);
  });

  it.each([
    ['instanceName', B, 'ghost'],
    ['instanceId', 'ID_B', '00000000-0000-4000-8000-000000000000'],
    ['number', NUMBER_B, '5511999990000'],
    ['number', `${NUMBER_B}@s.whatsapp.net`, '5511999990000@s.whatsapp.net'],
  ])("A's token filtering fetchInstances by B's %s never returns B (same answer as for a name that does not exist)", async (param, value, absent) => {
    const v = value === 'ID_B' ? idB : value;
    const res = await server.call('GET', `/instance/fetchInstances?${param}=${encodeURIComponent(v)}`, undefined, tokenA);
    expect([200, 404]).toContain(res.status);
    if (res.status === 200) expect(res.body).toEqual([]);
    else expect(res.body).toEqual({ status: 404, error: 'Not Found', response: { message: [`Instance "${v}" not found`] } });
    expect(JSON.stringify(res.body)).not.toContain(tokenB);
    const none = await server.call('GET', `/instance/fetchInstances?${param}=${encodeURIComponent(absent)}`, undefined, tokenA);
    expect(none.status).toBe(res.status);
    expect(JSON.stringify(none.body).replace(absent, v)).toBe(JSON.stringify(res.body));
  });

  it("B's token is not A's: the same isolation holds the other way", async () => {
    expect(await server.call('GET', `/settings/find/${A}`, undefined, tokenB)).toMatchObject({ status: 401, body: UNAUTHORIZED });
    expect((await server.call('GET', `/settings/find/${B}`, undefined, tokenB)).status).toBe(200);
  });

  it('nothing changed on B: settings, webhook, messages, chats, contacts, state, row', async () => {
    const after = await settled(server, B);
    expect(after).toEqual(before);
    expect(after.state.body).toEqual({ instance: { instanceName: B, state: 'open' } });
    expect(after.settings.body.msgCall).toBe('B-busy');
    expect(after.webhook.body.url).toBe('http://127.0.0.1:9/b-hook');
    // and B's own token still works (not logged out, not deleted, token unchanged)
    expect((await server.call('GET', `/instance/connectionState/${B}`, undefined, tokenB)).status).toBe(200);
  });
});

describe('unknown instance', () => {
  const ghost = 'ghost-instance';

  it.each([...INSTANCE_ROUTES, ...SANDBOX_ROUTES])('$label with the global key -> 404 with the exact upstream body', async (route) => {
    const res = await call(route, ghost);
    expect(res.status).toBe(404);
    expect(res.body).toEqual(instanceMissing(ghost));
  });

  it.each([...INSTANCE_ROUTES, ...SANDBOX_ROUTES])('$label with an instance token or no key -> 401 (no name enumeration)', async (route) => {
    for (const key of [tokenA, null, 'wrong-key-xyz']) {
      const res = await call(route, ghost, key);
      expect(res.status).toBe(401);
      expect(res.body).toEqual(UNAUTHORIZED);
    }
  });

  it('the 404 message quotes the name as given in the path', async () => {
    const res = await server.call('GET', `/instance/connectionState/${encodeURIComponent('weird name')}`);
    expect(res.body).toEqual(instanceMissing('weird name'));
  });
});

describe('unknown path', () => {
  it('GET /nope -> 404 with the upstream body', async () => {
    const res = await server.call('GET', '/nope', undefined, null);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ status: 404, error: 'Not Found', response: { message: ['Cannot GET /nope'] } });
  });

  it.each([
    ['POST', '/nope', 'Cannot POST /nope'],
    ['DELETE', '/instance/nope/x', 'Cannot DELETE /instance/nope/x'],
    ['GET', '/nope?x=1', 'Cannot GET /nope?x=1'],
    ['GET', '/instance/create', 'Cannot GET /instance/create'],
  ])('%s %s -> 404 "%s"', async (method, path, message) => {
    const res = await server.call(method, path, undefined, server.key);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ status: 404, error: 'Not Found', response: { message: [message] } });
  });
});

describe('OpenAPI document', () => {
  it('/docs/json lists every route in scope with its method', async () => {
    const res = await server.call('GET', '/docs/json', undefined, null);
    expect(res.status).toBe(200);
    const paths = res.body.paths as Record<string, Record<string, unknown>>;
    for (const route of ALL_ROUTES) {
      expect(paths[route.openapi], route.label).toBeDefined();
      expect(paths[route.openapi]![route.method.toLowerCase()], route.label).toBeDefined();
    }
  });

  it('declares the apikey header security scheme', async () => {
    const res = await server.call('GET', '/docs/json', undefined, null);
    expect(res.body.components.securitySchemes.apikey).toEqual({ type: 'apiKey', in: 'header', name: 'apikey' });
  });
});
