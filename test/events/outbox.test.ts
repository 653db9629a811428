import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { connectedSandbox, startTestServer, waitFor, type TestServer } from '../helpers/server.js';
import { WebhookReceiver, type Received } from '../helpers/receiver.js';

const SECRET = 'a-very-secret-signing-key';

/** An independent Standard Webhooks verifier: HMAC-SHA256 over "id.timestamp.body", base64, "v1," prefix. */
function verifyStandard(r: Received, secret: string): boolean {
  const id = String(r.headers['webhook-id']);
  const ts = String(r.headers['webhook-timestamp']);
  const expected = createHmac('sha256', Buffer.from(secret, 'utf8')).update(`${id}.${ts}.${r.raw}`).digest('base64');
  return String(r.headers['webhook-signature'])
    .split(' ')
    .some((sig) => sig.startsWith('v1,') && timingSafeEqual(Buffer.from(sig.slice(3)), Buffer.from(expected)));
}

/** The SaaS consumer's check (seed 002 §10.1): hex HMAC-SHA256 of "<timestamp>.<body>", timestamp in seconds, 5 minute window. */
function verifyEvox(signature: string, timestamp: string, body: string, secret: string): boolean {
  if (Math.abs(Math.floor(Date.now() / 1000) - parseInt(timestamp, 10)) > 300) return false;
  const expected = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return signature.length === expected.length && timingSafeEqual(Buffer.from(signature), Buffer.from(expected));
}

describe('durable delivery: signatures, outages, dead letters and replay', () => {
  let server: TestServer;
  const hook = new WebhookReceiver();

  beforeAll(async () => {
    await hook.start();
    server = await startTestServer({ WEBHOOK_REQUEST_TIMEOUT_MS: '300', WEBHOOK_BREAKER_THRESHOLD: '3', WEBHOOK_BREAKER_COOLDOWN_MS: '100', WEBHOOK_BREAKER_MAX_COOLDOWN_MS: '300', WEBHOOK_GLOBAL_SECRET: 'global-secret-0123456789' });
  });
  afterAll(async () => {
    await server?.stop();
    await hook.stop();
  });
  afterEach(() => {
    hook.received.length = 0;
    hook.rejected.length = 0;
    hook.respond = () => ({ status: 200 });
  });

  it('signs every delivery when the webhook has a secret; unsigned webhooks send no signature headers', async () => {
    const token = await connectedSandbox(server, 'signed', '5511940000001', { webhook: { url: `${hook.url}/signed`, events: ['MESSAGES_UPSERT'], secret: SECRET } });
    await connectedSandbox(server, 'plain', '5511940000002', { webhook: { url: `${hook.url}/plain`, events: ['MESSAGES_UPSERT'] } });
    await server.call('POST', '/sandbox/inbound/signed', { from: '5511950000001', text: 'sign me ✓' });
    await server.call('POST', '/sandbox/inbound/plain', { from: '5511950000001', text: 'no signature' });
    const signed = await hook.waitForEvent('messages.upsert', (r) => r.body.instance === 'signed');
    const plain = await hook.waitForEvent('messages.upsert', (r) => r.body.instance === 'plain');

    expect(String(signed.headers['webhook-id'])).toMatch(/^evt_[0-9a-f-]{36}$/);
    expect(verifyStandard(signed, SECRET)).toBe(true);
    expect(verifyStandard(signed, 'wrong-secret-000000')).toBe(false);
    const wh = new Webhook(Buffer.from(SECRET).toString('base64'));
    expect(wh.verify(signed.raw, { 'webhook-id': String(signed.headers['webhook-id']), 'webhook-timestamp': String(signed.headers['webhook-timestamp']), 'webhook-signature': String(signed.headers['webhook-signature']) })).toEqual(signed.body);
    for (const [sig, time] of [['evox-signature', 'evox-time'], ['http_evox_signature', 'http_evox_time']]) {
      expect(verifyEvox(String(signed.headers[sig!]), String(signed.headers[time!]), signed.raw, SECRET)).toBe(true);
    }
    expect(verifyEvox(String(signed.headers['evox-signature']), String(signed.headers['evox-time']), signed.raw.replace('sign me', 'forged'), SECRET)).toBe(false);

    expect(plain.headers['webhook-signature']).toBeUndefined();
    expect(plain.headers['evox-signature']).toBeUndefined();
    expect(plain.headers['webhook-id']).toBeDefined();
    // The secret is never shown back.
    const found = await server.call('GET', '/webhook/find/signed', undefined, token);
    expect(JSON.stringify(found.body)).not.toContain(SECRET);
  });

  it('rides out a receiver that fails, then times out, then recovers: every event arrives once, in chat order, same webhook-id on retries', async () => {
    const token = await connectedSandbox(server, 'outage', '5511940000003', { webhook: { url: `${hook.url}/outage`, events: ['MESSAGES_UPSERT'], secret: SECRET } });
    let phase: 'error' | 'timeout' | 'ok' = 'error';
    hook.respond = () => (phase === 'error' ? { status: 500 } : phase === 'timeout' ? { status: 200, delayMs: 1000 } : { status: 200 });
    const texts = Array.from({ length: 12 }, (_, i) => `m${i}`);
    for (const text of texts) await server.call('POST', '/sandbox/inbound/outage', { from: '5511950000002', text });
    await waitFor(() => hook.rejected.length >= 3, 5000, 'some 500s');
    phase = 'timeout';
    await new Promise((r) => setTimeout(r, 800));
    phase = 'ok';
    await waitFor(() => new Set(hook.events('messages.upsert').map((r) => r.body.data.message.conversation)).size === texts.length, 15000, 'all 12 delivered');

    const arrivals = hook.events('messages.upsert').map((r) => r.body.data.message.conversation);
    const firsts = arrivals.filter((t, i) => arrivals.indexOf(t) === i);
    expect(firsts).toEqual(texts);
    const ids = new Map<string, Set<string>>();
    for (const r of [...hook.rejected, ...hook.received]) {
      const text = r.body.data.message.conversation;
      ids.set(text, (ids.get(text) ?? new Set()).add(String(r.headers['webhook-id'])));
    }
    for (const set of ids.values()) expect(set.size).toBe(1);

    const deliveries = await waitFor(async () => {
      const res = await server.call('GET', '/webhook/deliveries/outage?state=delivered&limit=100', undefined, token);
      return res.body.deliveries.length === texts.length && res;
    }, 3000, 'outcomes recorded');
    expect(deliveries.status).toBe(200);
    const first = deliveries.body.deliveries.find((d: any) => d.attempts > 1);
    expect(first).toBeDefined();
    expect(first.history.length).toBe(first.attempts);
    expect(first.history[0]).toMatchObject({ attempt: 1 });
    expect(first.history.some((h: any) => h.statusCode === 500 || h.error)).toBe(true);
    expect(first.history.at(-1)).toMatchObject({ statusCode: 200 });
  });

  it('sends 4xx answers to dead letters, and a replay delivers them', async () => {
    const token = await connectedSandbox(server, 'dead', '5511940000004', { webhook: { url: `${hook.url}/dead`, events: ['MESSAGES_UPSERT'] } });
    // Only this test's path: a slow answer from an earlier test may still land on the shared receiver.
    const delivered = () => hook.events('messages.upsert').filter((r) => r.path === '/dead');
    const rejected = () => hook.rejected.filter((r) => r.path === '/dead');
    hook.respond = () => ({ status: 400 });
    for (const text of ['d1', 'd2', 'd3']) await server.call('POST', '/sandbox/inbound/dead', { from: '5511950000003', text });
    await waitFor(async () => (await server.call('GET', '/webhook/deadLetters/dead', undefined, token)).body.deliveries.length === 3, 5000, 'three dead letters');
    const dead = (await server.call('GET', '/webhook/deadLetters/dead', undefined, token)).body.deliveries;
    expect(dead.every((d: any) => d.state === 'dead' && d.attempts === 1 && d.lastStatus === 400)).toBe(true);
    expect(rejected()).toHaveLength(3);

    hook.respond = () => ({ status: 200 });
    const one = await server.call('POST', '/webhook/replay/dead', { id: dead[0].id }, token);
    expect(one).toMatchObject({ status: 201, body: { replayed: 1 } });
    await waitFor(() => delivered().length === 1, 5000, 'one replayed');
    const all = await server.call('POST', '/webhook/replay/dead', {}, token);
    expect(all.body.replayed).toBe(2);
    await waitFor(() => delivered().length === 3, 5000, 'all replayed');
    await new Promise((r) => setTimeout(r, 300));
    expect(delivered()).toHaveLength(3);
    expect(new Set(delivered().map((r) => r.headers['webhook-id']))).toEqual(new Set(dead.map((d: any) => d.id)));
    expect((await server.call('GET', '/webhook/deadLetters/dead', undefined, token)).body.deliveries).toHaveLength(0);
    expect((await server.call('POST', '/webhook/replay/dead', { id: 'evt_nope' }, token)).status).toBe(400);

    const purged = await server.call('DELETE', '/webhook/deliveries/dead?state=delivered', undefined, token);
    expect(purged.body.purged).toBeGreaterThanOrEqual(3);
    // Another instance's token reaches none of this.
    const other = await connectedSandbox(server, 'nosy', '5511940000005');
    expect((await server.call('GET', '/webhook/deliveries/dead', undefined, other)).status).toBe(401);
    expect((await server.call('POST', '/webhook/replay/dead', {}, other)).status).toBe(401);
  });

  it('a dead destination trips its breaker without delaying a healthy one', async () => {
    const down = new WebhookReceiver();
    await down.start();
    down.respond = () => ({ status: 503 });
    try {
      await connectedSandbox(server, 'down', '5511940000006', { webhook: { url: down.url, events: ['MESSAGES_UPSERT'] } });
      await connectedSandbox(server, 'up', '5511940000007', { webhook: { url: `${hook.url}/up`, events: ['MESSAGES_UPSERT'] } });
      for (let i = 0; i < 5; i++) await server.call('POST', '/sandbox/inbound/down', { from: `55119500001${i}0`, text: `down ${i}` });
      await waitFor(() => down.rejected.length >= 3, 3000, 'breaker threshold');
      const started = Date.now();
      await server.call('POST', '/sandbox/inbound/up', { from: '5511950000004', text: 'healthy' });
      await hook.waitForEvent('messages.upsert', (r) => r.body.instance === 'up', 2000);
      expect(Date.now() - started).toBeLessThan(1000);
      // While open, the dead receiver is probed, not hammered: far fewer requests than 5 chats x retries at 50 ms.
      const before = down.rejected.length;
      await new Promise((r) => setTimeout(r, 600));
      expect(down.rejected.length - before).toBeLessThanOrEqual(8);
      down.respond = () => ({ status: 200 });
      await waitFor(() => new Set(down.received.map((r) => r.body.data.message.conversation)).size === 5, 5000, 'recovered');
    } finally {
      await down.stop();
    }
  });

  it('signs global webhook deliveries with WEBHOOK_GLOBAL_SECRET', async () => {
    const global = new WebhookReceiver();
    await global.start();
    const s = await startTestServer({ WEBHOOK_GLOBAL_ENABLED: 'true', WEBHOOK_GLOBAL_URL: global.url, WEBHOOK_GLOBAL_SECRET: 'global-secret-0123456789' });
    try {
      await connectedSandbox(s, 'g', '5511940000008');
      const r = await global.waitForEvent('connection.update', (x) => x.body.data.state === 'open');
      expect(verifyStandard(r, 'global-secret-0123456789')).toBe(true);
    } finally {
      await s.stop();
      await global.stop();
    }
  });
});

describe('durable delivery without the sender thread (WEBHOOK_SENDER_THREAD=false)', () => {
  it('delivers, signed, in chat order from the main thread', async () => {
    const hook = new WebhookReceiver();
    await hook.start();
    const s = await startTestServer({ WEBHOOK_SENDER_THREAD: 'false' });
    try {
      await connectedSandbox(s, 'direct', '5511940000009', { webhook: { url: hook.url, events: ['MESSAGES_UPSERT'], secret: SECRET } });
      for (const text of ['a', 'b', 'c']) await s.call('POST', '/sandbox/inbound/direct', { from: '5511950000009', text });
      await waitFor(() => hook.events('messages.upsert').length === 3, 5000, 'three deliveries');
      expect(hook.events('messages.upsert').map((r) => r.body.data.message.conversation)).toEqual(['a', 'b', 'c']);
      expect(hook.events('messages.upsert').every((r) => verifyStandard(r, SECRET))).toBe(true);
    } finally {
      await s.stop();
      await hook.stop();
    }
  });
});
