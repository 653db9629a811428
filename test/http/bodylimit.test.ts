/**
 * Oversize bodies (SERVER_BODY_LIMIT_BYTES=4096) on every route with a body: 413 in the upstream shape,
 * nothing stored. Authentication still comes first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectedSandbox, startTestServer, type TestServer } from '../helpers/server.js';
import { CONTACT, CREATE_ROUTE, INSTANCE_ROUTES, SANDBOX_ROUTES, UNAUTHORIZED, expectErrorShape, instanceMissing, settled, type RouteCase } from './routes.js';

const LIMIT = 4096;
const TOO_LARGE = { status: 413, error: 'Payload Too Large', response: { message: ['Request body is too large'] } };

let server: TestServer;
let token: string;
const I = 'lim';
const Q = 'lim-qr';

beforeAll(async () => {
  server = await startTestServer({ SERVER_BODY_LIMIT_BYTES: String(LIMIT) });
  token = await connectedSandbox(server, I, '5511940000001');
  expect((await server.call('POST', `/webhook/set/${I}`, { webhook: { enabled: false, url: 'http://127.0.0.1:9/prev' } })).status).toBe(201);
  expect((await server.call('POST', `/message/sendText/${I}`, { number: CONTACT, text: 'previous' })).status).toBe(201);
  expect((await server.call('POST', '/instance/create', { instanceName: Q, integration: 'SANDBOX', qrcode: true })).status).toBe(201);
});

afterAll(async () => {
  await server?.stop();
});

const BODY_ROUTES = [CREATE_ROUTE, ...INSTANCE_ROUTES, ...SANDBOX_ROUTES].filter((r) => r.body !== undefined);
const targetOf = (route: RouteCase) => (route.label === 'POST /sandbox/scan' ? Q : I);
/** The route's valid body plus padding (extra properties are allowed), so only its size is wrong. */
const padded = (route: RouteCase, bytes = LIMIT + 1000) => ({ ...(route.body as object), ...(route === CREATE_ROUTE ? { instanceName: 'too-big' } : {}), pad: 'x'.repeat(bytes) });

async function world() {
  const list = await server.call('GET', '/instance/fetchInstances');
  return { names: list.body.map((r: any) => r.name).sort(), i: await settled(server, I), q: await settled(server, Q) };
}

describe('oversize bodies', () => {
  let before: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => {
    before = await world();
  });

  it.each(BODY_ROUTES)('$label -> 413 with the upstream shape', async (route) => {
    const res = await server.call(route.method, route.path(targetOf(route)), padded(route));
    expectErrorShape(res, [413]);
    expect(res.body).toEqual(TOO_LARGE);
  });

  it.each(BODY_ROUTES)('$label with a chunked oversize body (no content-length) -> 413', async (route) => {
    const payload = new TextEncoder().encode(JSON.stringify(padded(route)));
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < payload.length; i += 1024) controller.enqueue(payload.subarray(i, i + 1024));
        controller.close();
      },
    });
    const res = await fetch(`${server.url}${route.path(targetOf(route))}`, { method: route.method, headers: { apikey: server.key, 'content-type': 'application/json' }, body, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual(TOO_LARGE);
  });

  it.each(BODY_ROUTES)('$label oversize without a key -> 401 (authentication comes before reading the body)', async (route) => {
    const res = await server.call(route.method, route.path(targetOf(route)), padded(route), null);
    expect(res.status).toBe(401);
    expect(res.body).toEqual(UNAUTHORIZED);
  });

  it.each(BODY_ROUTES.filter((r) => r.auth === 'instance'))("$label oversize with the instance's own token -> 413", async (route) => {
    const res = await server.call(route.method, route.path(I), padded(route), token);
    expect(res.body).toEqual(TOO_LARGE);
  });

  it.each(BODY_ROUTES.filter((r) => r !== CREATE_ROUTE))('$label oversize on an unknown instance with the global key -> 404', async (route) => {
    const res = await server.call(route.method, route.path('ghost'), padded(route));
    if (route.auth === 'instance') expect(res.body).toEqual(instanceMissing('ghost'));
    else expect(res.body).toEqual(TOO_LARGE); // global-key routes look the instance up in the handler, after the body
  });

  it('changed nothing: no instance created, no message stored, webhook and state unchanged', async () => {
    const after = await world();
    expect(after).toEqual(before);
    expect(after.names).toEqual([I, Q]);
    expect(after.i.messages.body.messages.total).toBe(1);
    expect(after.i.webhook.body.url).toBe('http://127.0.0.1:9/prev');
    expect(after.q.state.body.instance.state).toBe('connecting');
  });
});

describe('bodies just under the limit', () => {
  it('a sendText body under the limit is accepted', async () => {
    const text = 'y'.repeat(LIMIT - 200);
    const res = await server.call('POST', `/message/sendText/${I}`, { number: CONTACT, text });
    expect(res.status, JSON.stringify(res.body).slice(0, 200)).toBe(201);
    expect(res.body.message.conversation).toBe(text);
  });

  it('application/json with a charset parameter is JSON', async () => {
    const res = await server.call('POST', `/message/sendText/${I}`, { number: CONTACT, text: 'charset' }, undefined, { 'content-type': 'application/json; charset=utf-8' });
    expect(res.status).toBe(201);
  });
});
