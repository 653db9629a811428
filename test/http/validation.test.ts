/**
 * Malformed requests on every route with a body: wrong types, missing fields, non-object JSON, invalid JSON,
 * other content types. Each answers a 4xx in the upstream shape (400: message is an array of strings) and
 * changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectedSandbox, startTestServer, type TestServer } from '../helpers/server.js';
import { CONTACT, CREATE_ROUTE, INSTANCE_ROUTES, SANDBOX_ROUTES, expectErrorShape, settled, type RouteCase } from './routes.js';

let server: TestServer;
let token: string;
let sentKeyId: string;
const I = 'val';
/** Created with a QR but never scanned: the target of /sandbox/scan cases. */
const Q = 'val-qr';

beforeAll(async () => {
  server = await startTestServer();
  token = await connectedSandbox(server, I, '5511930000001');
  const ok = (r: { status: number; body: unknown }, status: number) => expect(r.status, JSON.stringify(r.body)).toBe(status);
  ok(await server.call('POST', `/settings/set/${I}`, { rejectCall: false, msgCall: 'prev', groupsIgnore: false, alwaysOnline: false, readMessages: false, readStatus: false, syncFullHistory: false }), 201);
  ok(await server.call('POST', `/webhook/set/${I}`, { webhook: { enabled: false, url: 'http://127.0.0.1:9/prev', byEvents: true } }), 201);
  const sent = await server.call('POST', `/message/sendText/${I}`, { number: CONTACT, text: 'previous' });
  ok(sent, 201);
  sentKeyId = sent.body.key.id;
  ok(await server.call('POST', `/sandbox/inbound/${I}`, { from: CONTACT, pushName: 'Carol', text: 'hello val' }), 201);
  ok(await server.call('POST', '/instance/create', { instanceName: Q, integration: 'SANDBOX', qrcode: true }), 201);
});

afterAll(async () => {
  await server?.stop();
});

type Case = [what: string, body: unknown, expected?: string[] | ((message: unknown[]) => void)];

const routeOf = (label: string): RouteCase => [...INSTANCE_ROUTES, ...SANDBOX_ROUTES, CREATE_ROUTE].find((r) => r.label === label)!;
const settings = { rejectCall: true, groupsIgnore: true, alwaysOnline: true, readMessages: true, readStatus: true, syncFullHistory: true };

/** Route-specific bad bodies; `expected` (when given) must equal response.message exactly. */
const CASES: Record<string, Case[]> = {
  'POST /instance/create': [
    ['no instanceName', { integration: 'SANDBOX' }, ['instance requires property "instanceName"']],
    ['instanceName not a string', { instanceName: 123, integration: 'SANDBOX' }, ['instanceName is not of a type(s) string']],
    ['empty instanceName', { instanceName: '', integration: 'SANDBOX' }],
    ['instanceName with a slash', { instanceName: 'a/b', integration: 'SANDBOX' }],
    ['no integration', { instanceName: 'v-new' }, ['Invalid integration']],
    ['unknown integration', { instanceName: 'v-new', integration: 'NOPE' }],
    ['integration not a string', { instanceName: 'v-new', integration: 7 }, ['integration is not of a type(s) string']],
    ['qrcode not a boolean', { instanceName: 'v-new', integration: 'SANDBOX', qrcode: 'yes' }, ['qrcode is not of a type(s) boolean']],
    ['token not a string', { instanceName: 'v-new', integration: 'SANDBOX', token: 12345678 }, ['token is not of a type(s) string']],
    ['token of another instance', { instanceName: 'v-new', integration: 'SANDBOX', token: 'TOKEN_OF_I' }],
    ['setting not a boolean', { instanceName: 'v-new', integration: 'SANDBOX', rejectCall: 'true' }, ['rejectCall is not of a type(s) boolean']],
    ['webhook not a URL', { instanceName: 'v-new', integration: 'SANDBOX', webhook: { url: 'ftp://x', events: [] } }],
    ['webhook without url', { instanceName: 'v-new', integration: 'SANDBOX', webhook: { events: [] } }],
    ['webhook url not a string', { instanceName: 'v-new', integration: 'SANDBOX', webhook: 42 }],
    ['webhook events not UPPER_SNAKE', { instanceName: 'v-new', integration: 'SANDBOX', webhook: { url: 'http://x.test', events: ['messages.upsert'] } }],
    ['number not digits', { instanceName: 'v-new', integration: 'SANDBOX', number: 'abc' }],
  ],
  'POST /instance/setPresence': [
    ['no presence', {}, ['instance requires property "presence"']],
    ['presence not in enum', { presence: 'dancing' }, ['presence is not one of enum values: unavailable,available,composing,recording,paused']],
    ['presence not a string', { presence: 1 }],
  ],
  'POST /message/sendText': [
    ['empty object', {}, ['instance requires property "number"', 'instance requires property "text"']],
    ['no text', { number: CONTACT }, ['instance requires property "text"']],
    ['no number', { text: 'hi' }, ['instance requires property "number"']],
    ['text not a string', { number: CONTACT, text: 5 }, ['text is not of a type(s) string']],
    ['number not a string', { number: 5511988887777, text: 'hi' }, ['Invalid format']],
    ['empty number', { number: '', text: 'hi' }, ['Invalid format']],
    ['blank text', { number: CONTACT, text: '   ' }, ['Text is required']],
    ['delay not an integer', { number: CONTACT, text: 'hi', delay: '5' }],
    ['negative delay', { number: CONTACT, text: 'hi', delay: -1 }],
    ['quoted without key id', { number: CONTACT, text: 'hi', quoted: { key: {} } }, ['quoted.key requires property "id"']],
    ['quoted message unknown', { number: CONTACT, text: 'hi', quoted: { key: { id: 'NOPE' } } }, ['Quoted message not found']],
    ['mentioned not an array', { number: CONTACT, text: 'hi', mentioned: CONTACT }],
    ['linkPreview not a boolean', { number: CONTACT, text: 'hi', linkPreview: 'yes' }],
    [
      'number not on WhatsApp',
      { number: '0001234567', text: 'hi' },
      // upstream: the message array holds the lookup result object, not a string
      (m) => expect(m).toEqual([{ jid: '0001234567@s.whatsapp.net', exists: false, number: '0001234567' }]),
    ],
  ],
  'POST /chat/findMessages': [
    ['where not an object', { where: 'x' }, ['where is not of a type(s) object']],
    ['page zero', { page: 0 }],
    ['offset a string', { offset: '10' }],
    ['key.fromMe not a boolean', { where: { key: { fromMe: 'yes' } } }, ['where.key.fromMe is not of a type(s) boolean']],
    ['timestamp range not an object', { where: { messageTimestamp: 5 } }],
  ],
  'POST /chat/findChats': [
    ['take a string', { take: '1' }, ['take is not of a type(s) integer']],
    ['negative skip', { skip: -1 }],
    ['remoteJid not a string', { where: { remoteJid: 5 } }, ['where.remoteJid is not of a type(s) string']],
  ],
  'POST /chat/findContacts': [
    ['where an array', { where: [] }, ['where is not of a type(s) object']],
    ['page a string', { page: '1' }],
    ['remoteJid not a string', { where: { remoteJid: true } }],
  ],
  'POST /chat/markMessageAsRead': [
    ['no readMessages', {}, ['instance requires property "readMessages"']],
    ['empty readMessages', { readMessages: [] }],
    ['readMessages not an array', { readMessages: 'x' }, ['readMessages is not of a type(s) array']],
    ['key missing fields', { readMessages: [{ id: 'x' }] }, ['readMessages[0] requires property "fromMe"', 'readMessages[0] requires property "remoteJid"']],
    ['fromMe not a boolean', { readMessages: [{ id: 'x', fromMe: 'no', remoteJid: `${CONTACT}@s.whatsapp.net` }] }],
  ],
  'POST /chat/whatsappNumbers': [
    ['no numbers', {}, ['instance requires property "numbers"']],
    ['empty numbers', { numbers: [] }],
    ['numbers a string', { numbers: CONTACT }, ['numbers is not of a type(s) array']],
    ['numbers of numbers', { numbers: [5511988887777] }, ['numbers[0] is not of a type(s) string']],
  ],
  'POST /chat/fetchProfilePictureUrl': [
    ['no number', {}, ['instance requires property "number"']],
    ['number not a string', { number: 1 }, ['number is not of a type(s) string']],
    ['empty number', { number: '' }],
  ],
  'POST /settings/set': [
    [
      'empty object',
      {},
      ['rejectCall', 'groupsIgnore', 'alwaysOnline', 'readMessages', 'readStatus', 'syncFullHistory'].map((p) => `instance requires property "${p}"`),
    ],
    ['one field missing', { ...settings, syncFullHistory: undefined }, ['instance requires property "syncFullHistory"']],
    ['boolean as a string', { ...settings, rejectCall: 'true' }, ['rejectCall is not of a type(s) boolean']],
    ['msgCall not a string', { ...settings, msgCall: 1 }, ['msgCall is not of a type(s) string']],
  ],
  'POST /webhook/set': [
    ['empty object', {}, ['instance requires property "webhook"']],
    ['flat v1 fields', { url: 'http://127.0.0.1:9/new', enabled: true }, ['instance requires property "webhook"']],
    ['no url', { webhook: { enabled: true } }, ['webhook requires property "url"']],
    ['no enabled', { webhook: { url: 'http://127.0.0.1:9/new' } }, ['webhook requires property "enabled"']],
    ['enabled a string', { webhook: { enabled: 'yes', url: 'http://127.0.0.1:9/new' } }, ['webhook.enabled is not of a type(s) boolean']],
    ['url not http', { webhook: { enabled: true, url: 'not a url' } }, ['Invalid "url" property in webhook']],
    ['url a number', { webhook: { enabled: true, url: 7 } }],
    ['dotted event names', { webhook: { enabled: true, url: 'http://127.0.0.1:9/new', events: ['messages.upsert'] } }],
    ['events not an array', { webhook: { enabled: true, url: 'http://127.0.0.1:9/new', events: 'MESSAGES_UPSERT' } }],
    ['headers not strings', { webhook: { enabled: true, url: 'http://127.0.0.1:9/new', headers: { a: 1 } } }],
    ['webhook a string', { webhook: 'http://127.0.0.1:9/new' }, ['webhook is not of a type(s) object']],
  ],
  'POST /sandbox/scan': [
    ['no number', {}, ['instance requires property "number"']],
    ['number not digits', { number: 'abc' }],
    ['number not a string', { number: 5511930000009 }, ['number is not of a type(s) string']],
  ],
  'POST /sandbox/inbound': [
    ['no from', { text: 'x' }, ['instance requires property "from"']],
    ['from not digits', { from: 'abc', text: 'x' }],
    ['neither text nor message', { from: CONTACT }, ['instance requires property "message" or "text"']],
    ['empty message', { from: CONTACT, message: {} }],
    ['message a string', { from: CONTACT, message: 'x' }],
    ['bad group jid', { from: CONTACT, text: 'x', groupJid: 'nope' }],
  ],
  'POST /sandbox/history': [
    ['no messages', {}, ['instance requires property "messages"']],
    ['messages empty', { messages: [] }],
    ['a message without from', { messages: [{ text: 'x' }] }],
    ['a message without content', { messages: [{ from: CONTACT }] }, ['instance requires property "message" or "text"']],
    ['progress over 100', { messages: [{ from: CONTACT, text: 'x' }], progress: 101 }],
  ],
  'POST /sandbox/status': [
    ['no keyId', { status: 'READ' }, ['instance requires property "keyId"']],
    ['status not in enum', { keyId: 'SENT', status: 'SEEN' }, ['status is not one of enum values: DELIVERY_ACK,READ,PLAYED']],
    ['unknown keyId', { keyId: 'NOPE', status: 'READ' }, ['Message "NOPE" sent by this instance was not found']],
  ],
  'POST /sandbox/disconnect': [
    ['no statusReason', {}, ['instance requires property "statusReason"']],
    ['statusReason not in enum', { statusReason: 999 }],
    ['statusReason a string', { statusReason: '401' }, ['statusReason is not of a type(s) integer', 'statusReason is not one of enum values: 401,403,408,428,440,500,515']],
  ],
};

/** Raw requests every body route must refuse: [what, content-type, raw body]. */
const RAW: Array<[string, string, string]> = [
  ['a JSON array', 'application/json', '[]'],
  ['an array of objects', 'application/json', '[{"number":"5511988887777","text":"hi"}]'],
  ['a JSON string', 'application/json', '"hello"'],
  ['a JSON number', 'application/json', '42'],
  ['JSON null', 'application/json', 'null'],
  ['invalid JSON', 'application/json', '{"number": "5511988887777", "text": '],
  ['JSON with a trailing comma', 'application/json', '{"a":1,}'],
  ['whitespace only', 'application/json', '   '],
  ['a __proto__ key (prototype poisoning)', 'application/json', '{"__proto__":{"isAdmin":true},"number":"5511988887777","text":"hi"}'],
  ['a constructor.prototype key', 'application/json', '{"constructor":{"prototype":{"isAdmin":true}},"number":"5511988887777","text":"hi"}'],
  ['plain text', 'text/plain', '{"number":"5511988887777","text":"hi"}'],
  ['a form', 'application/x-www-form-urlencoded', 'number=5511988887777&text=hi'],
  ['XML', 'application/xml', '<x/>'],
  ['a garbage content type', 'not/a/type', '{}'],
];

const BODY_ROUTES = [CREATE_ROUTE, ...INSTANCE_ROUTES, ...SANDBOX_ROUTES].filter((r) => r.body !== undefined);

/** Where a route writes: the instance the path names (scan goes to the unscanned one). */
const targetOf = (route: RouteCase) => (route.label === 'POST /sandbox/scan' ? Q : I);

async function world() {
  const list = await server.call('GET', '/instance/fetchInstances');
  return { names: list.body.map((r: any) => r.name).sort(), i: await settled(server, I), q: await settled(server, Q) };
}

describe('every body route has malformed cases', () => {
  it('covers every route with a body', () => {
    expect(Object.keys(CASES).sort()).toEqual(BODY_ROUTES.map((r) => r.label).sort());
  });
});

describe.each(BODY_ROUTES)('$label', (route) => {
  let before: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => {
    before = await world();
  });

  const path = () => route.path(targetOf(route));

  it.each(CASES[route.label]!)('%s -> 400', async (_what, body, expected) => {
    const b = body && typeof body === 'object' && JSON.stringify(body).includes('TOKEN_OF_I') ? JSON.parse(JSON.stringify(body).replace('TOKEN_OF_I', token)) : body;
    const res = await server.call(route.method, path(), b);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error).toBe('Bad Request');
    if (typeof expected === 'function') return expected(res.body.response.message);
    expectErrorShape(res, [400]);
    if (expected) expect(res.body.response.message).toEqual(expected);
  });

  it.each(RAW)('%s -> 4xx in the upstream shape', async (_what, contentType, raw) => {
    const res = await server.call(route.method, path(), raw, undefined, { 'content-type': contentType });
    expectErrorShape(res, [400, 415]);
    if (contentType === 'application/json') expect(res.status).toBe(400);
    if (res.status === 415) expect(res.body.error).toBe('Unsupported Media Type');
  });

  it('the same bad body with the instance token is refused the same way', async () => {
    if (route.auth !== 'instance') return;
    const res = await server.call(route.method, path(), '[]', token);
    expectErrorShape(res, [400]);
    expect(res.body.response.message).toEqual(['instance is not of a type(s) object']);
  });

  it('changed nothing', async () => {
    const after = await world();
    expect(after).toEqual(before);
  });
});

describe('state after all the refused requests', () => {
  it('no instance was created', async () => {
    const list = await server.call('GET', '/instance/fetchInstances');
    expect(list.body.map((r: any) => r.name).sort()).toEqual([I, Q]);
  });

  it('the previous webhook and settings are still in place', async () => {
    expect((await server.call('GET', `/webhook/find/${I}`)).body).toMatchObject({ url: 'http://127.0.0.1:9/prev', enabled: false, webhookByEvents: true });
    expect((await server.call('GET', `/settings/find/${I}`)).body).toMatchObject({ msgCall: 'prev', rejectCall: false });
  });

  it('only the two setup messages are stored, the unscanned instance is still waiting for its scan, the other is open', async () => {
    const found = await server.call('POST', `/chat/findMessages/${I}`, {});
    expect(found.body.messages.total).toBe(2);
    expect(found.body.messages.records.map((r: any) => r.message.conversation).sort()).toEqual(['hello val', 'previous']);
    expect((await server.call('GET', `/instance/connectionState/${Q}`)).body.instance.state).toBe('connecting');
    expect((await server.call('GET', `/instance/connectionState/${I}`)).body.instance.state).toBe('open');
  });

  it('the sent message was not acknowledged as READ by a refused /sandbox/status', async () => {
    const found = await server.call('POST', `/chat/findMessages/${I}`, { where: { key: { id: sentKeyId } } });
    expect(found.body.messages.records[0].status).not.toBe('READ');
  });
});

describe('bodies that are optional or empty, as upstream accepts them', () => {
  it.each(['POST /chat/findMessages', 'POST /chat/findChats', 'POST /chat/findContacts'].map(routeOf))('$label without any body -> 200', async (route) => {
    const res = await server.call(route.method, route.path(I));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  });

  it.each(['POST /chat/findMessages', 'POST /chat/findChats', 'POST /chat/findContacts'].map(routeOf))('$label with an empty JSON body -> 200', async (route) => {
    const res = await server.call(route.method, route.path(I), '', undefined, { 'content-type': 'application/json' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  });

  it('a body route without any body says which properties are required', async () => {
    const res = await server.call('POST', `/message/sendText/${I}`);
    expectErrorShape(res, [400]);
    expect(res.body.response.message).toEqual(['instance requires property "number"', 'instance requires property "text"']);
  });

  it('routes without a body accept an empty JSON body (clients send content-type: application/json everywhere)', async () => {
    const name = 'val-empty';
    await connectedSandbox(server, name, '5511930000077');
    for (const [method, path] of [
      ['GET', `/instance/connectionState/${name}`],
      ['GET', `/settings/find/${name}`],
      ['POST', `/instance/restart/${name}`],
      ['PUT', `/instance/restart/${name}`],
      ['DELETE', `/instance/logout/${name}`],
      ['DELETE', `/instance/delete/${name}`],
    ] as const) {
      const res = await server.call(method, path, undefined, undefined, { 'content-type': 'application/json' });
      expect(res.status, `${method} ${path} ${JSON.stringify(res.body)}`).toBe(200);
    }
  });

  it('a create with the name of an existing instance -> 403 with the exact upstream body, nothing replaced', async () => {
    const res = await server.call('POST', '/instance/create', { instanceName: I, integration: 'SANDBOX', token: 'replacement-token' });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ status: 403, error: 'Forbidden', response: { message: [`This name "${I}" is already in use.`] } });
    expect((await server.call('GET', `/instance/connectionState/${I}`, undefined, token)).status).toBe(200);
    expect((await server.call('GET', `/instance/connectionState/${I}`, undefined, 'replacement-token')).status).toBe(401);
  });

  it('a bad connect query string -> 400 in the upstream shape', async () => {
    const res = await server.call('GET', `/instance/connect/${Q}?number=abc`);
    expectErrorShape(res, [400]);
  });
});
