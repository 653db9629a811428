import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectedSandbox, startTestServer, waitFor, type TestServer } from '../helpers/server.js';
import { WebhookReceiver } from '../helpers/receiver.js';
import { retryDelayMs } from '../../src/events/webhook/retry.js';

describe('instance webhooks', () => {
  let server: TestServer;
  const hook = new WebhookReceiver();
  let media: Server;
  let mediaUrl = '';

  beforeAll(async () => {
    await hook.start();
    media = createServer((_req, res) => res.end(Buffer.from('fake-jpeg-bytes')));
    await new Promise<void>((r) => media.listen(0, '127.0.0.1', r));
    mediaUrl = `http://127.0.0.1:${(media.address() as AddressInfo).port}/img.jpg`;
    server = await startTestServer({ AUTHENTICATION_EXPOSE_IN_FETCH_INSTANCES: 'true' });
  });
  afterAll(async () => {
    await server?.stop();
    await hook.stop();
    media.close();
  });
  afterEach(() => {
    hook.received.length = 0;
    hook.rejected.length = 0;
    hook.respond = () => ({ status: 200 });
  });

  it('set/find round trip, with upstream storage rules for events', async () => {
    const token = await connectedSandbox(server, 'cfg', '5511910000001');
    expect((await server.call('GET', '/webhook/find/cfg', undefined, token)).body).toBeNull();
    const set = await server.call('POST', '/webhook/set/cfg', { webhook: { enabled: true, url: hook.url, events: [] } }, token);
    expect(set.status).toBe(201);
    expect(Object.keys(set.body).sort()).toEqual(['createdAt', 'enabled', 'events', 'headers', 'id', 'instanceId', 'updatedAt', 'url', 'webhookBase64', 'webhookByEvents']);
    expect(set.body.events).toHaveLength(31);
    expect(set.body.events).toContain('GROUP_UPDATE');
    const disabled = await server.call('POST', '/webhook/set/cfg', { webhook: { enabled: false, url: hook.url, events: ['MESSAGES_UPSERT'] } }, token);
    expect(disabled.body).toMatchObject({ enabled: false, events: [] });
    expect((await server.call('GET', '/webhook/find/cfg', undefined, token)).body).toMatchObject({ enabled: false, url: hook.url, id: set.body.id });
    const dotted = await server.call('POST', '/webhook/set/cfg', { webhook: { enabled: true, url: hook.url, events: ['messages.upsert'] } }, token);
    expect(dotted.status).toBe(400);
    const badUrl = await server.call('POST', '/webhook/set/cfg', { webhook: { enabled: true, url: 'ftp://x' } }, token);
    expect(badUrl.status).toBe(400);
  });

  it('honours the events filter, byEvents suffixes, custom headers, jwt_key and apikey exposure', async () => {
    const token = await connectedSandbox(server, 'filt', '5511910000002');
    await server.call('POST', '/webhook/set/filt', { webhook: { enabled: true, url: `${hook.url}/base/`, byEvents: true, events: ['MESSAGES_UPSERT', 'CHATS_UPSERT'], headers: { 'x-tenant': 'acme', jwt_key: 'shh-secret' } } }, token);
    await server.call('POST', '/sandbox/inbound/filt', { from: '5511920000000', pushName: 'Zé', text: 'hi' });
    const upsert = await hook.waitForEvent('messages.upsert');
    await hook.waitForEvent('chats.upsert');
    expect(upsert.path).toBe('/base/messages-upsert');
    expect(hook.received.find((r) => r.body.event === 'chats.upsert')!.path).toBe('/base/chats-upsert');
    expect(hook.events().map((r) => r.body.event).sort()).toEqual(['chats.upsert', 'messages.upsert']);
    expect(upsert.body.destination).toBe(`${hook.url}/base/`);
    expect(upsert.body.apikey).toBe(token);
    expect(upsert.headers['x-tenant']).toBe('acme');
    expect(upsert.headers.jwt_key).toBeUndefined();
    const [head, payload, sig] = String(upsert.headers.authorization).replace(/^Bearer /, '').split('.');
    expect(createHmac('sha256', 'shh-secret').update(`${head}.${payload}`).digest('base64url')).toBe(sig);
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    expect(claims).toMatchObject({ app: 'evolution', action: 'webhook' });
    expect(claims.exp - claims.iat).toBe(600);
  });

  it('retries 5xx and network errors until delivered; 4xx in the non-retryable list are dropped', async () => {
    const token = await connectedSandbox(server, 'retry', '5511910000003');
    await server.call('POST', '/webhook/set/retry', { webhook: { enabled: true, url: hook.url, events: ['MESSAGES_UPSERT'] } }, token);
    let failures = 0;
    hook.respond = (r) => (r.body.data?.message?.conversation === 'flaky' && failures++ < 2 ? { status: 503 } : { status: 200 });
    await server.call('POST', '/sandbox/inbound/retry', { from: '5511920000001', text: 'flaky' });
    const got = await hook.waitForEvent('messages.upsert', (r) => r.body.data.message.conversation === 'flaky', 5000);
    expect(hook.rejected).toHaveLength(2);
    expect(hook.rejected.every((r) => r.raw === got.raw)).toBe(true);

    hook.respond = (r) => (r.body.data?.message?.conversation === 'nope' ? { status: 400 } : { status: 200 });
    await server.call('POST', '/sandbox/inbound/retry', { from: '5511920000001', text: 'nope' });
    await waitFor(() => hook.rejected.length === 3, 3000, 'the 400');
    await new Promise((r) => setTimeout(r, 400));
    expect(hook.rejected).toHaveLength(3);
  });

  it('a slow receiver never delays another instance', async () => {
    const slow = new WebhookReceiver();
    await slow.start();
    slow.respond = () => ({ status: 200, delayMs: 1500 });
    try {
      const tSlow = await connectedSandbox(server, 'slowpoke', '5511910000004');
      const tFast = await connectedSandbox(server, 'speedy', '5511910000005');
      await server.call('POST', '/webhook/set/slowpoke', { webhook: { enabled: true, url: slow.url, events: ['MESSAGES_UPSERT'] } }, tSlow);
      await server.call('POST', '/webhook/set/speedy', { webhook: { enabled: true, url: hook.url, events: ['MESSAGES_UPSERT'] } }, tFast);
      for (let i = 0; i < 40; i++) await server.call('POST', '/sandbox/inbound/slowpoke', { from: '5511920000002', text: `slow ${i}` });
      const started = Date.now();
      const res = await server.call('POST', '/sandbox/inbound/speedy', { from: '5511920000003', text: 'fast' });
      expect(res.status).toBe(201);
      await hook.waitForEvent('messages.upsert', (r) => r.body.instance === 'speedy', 1000);
      expect(Date.now() - started).toBeLessThan(1000);
    } finally {
      await slow.stop();
    }
  });

  it('adds message.base64 for media when the webhook asks for it', async () => {
    const token = await connectedSandbox(server, 'b64', '5511910000006');
    await server.call('POST', '/webhook/set/b64', { webhook: { enabled: true, url: hook.url, base64: true, events: ['MESSAGES_UPSERT'] } }, token);
    await server.call('POST', '/sandbox/inbound/b64', { from: '5511920000004', message: { imageMessage: { url: mediaUrl, mimetype: 'image/jpeg', caption: 'look' } } });
    const got = await hook.waitForEvent('messages.upsert', (r) => r.body.instance === 'b64');
    expect(got.body.data.messageType).toBe('imageMessage');
    expect(Buffer.from(got.body.data.message.base64, 'base64').toString()).toBe('fake-jpeg-bytes');
    expect(got.body.data.message.imageMessage.caption).toBe('look');
  });
});

describe('global webhook (WEBHOOK_GLOBAL_*)', () => {
  it('receives every instance event in the same envelope, by-events suffixes, per-event flags', async () => {
    const global = new WebhookReceiver();
    const own = new WebhookReceiver();
    await global.start();
    await own.start();
    const server = await startTestServer({ WEBHOOK_GLOBAL_ENABLED: 'true', WEBHOOK_GLOBAL_URL: global.url, WEBHOOK_GLOBAL_WEBHOOK_BY_EVENTS: 'true', WEBHOOK_EVENTS_CHATS_UPSERT: 'false' });
    try {
      await connectedSandbox(server, 'g1', '5511930000001');
      await connectedSandbox(server, 'g2', '5511930000002', { webhook: { url: own.url, events: [] } });
      await server.call('POST', '/sandbox/inbound/g1', { from: '5511920000005', text: 'to g1' });
      await server.call('POST', '/sandbox/inbound/g2', { from: '5511920000005', text: 'to g2' });
      const g1 = await global.waitForEvent('messages.upsert', (r) => r.body.instance === 'g1');
      const g2 = await global.waitForEvent('messages.upsert', (r) => r.body.instance === 'g2');
      const ownCopy = await own.waitForEvent('messages.upsert');
      expect(g1.path).toBe('/messages-upsert');
      expect(g1.body.destination).toBe(`${global.url}/messages-upsert`);
      expect(g1.body.apikey).toBeNull();
      // With an instance webhook, both targets get the same body (destination = the instance URL).
      expect(g2.raw).toBe(ownCopy.raw);
      expect(g2.body.destination).toBe(own.url);
      expect(global.events('chats.upsert')).toHaveLength(0);
      expect(global.events('instance.create').length).toBe(2);
    } finally {
      await server.stop();
      await global.stop();
      await own.stop();
    }
  });
});

describe('retry schedule', () => {
  it('follows the upstream formula: exponential from the initial delay, capped, jittered, floored', () => {
    const policy = { maxAttempts: 10, initialDelaySeconds: 5, maxDelaySeconds: 300, useExponentialBackoff: true, jitterFactor: 0.2, nonRetryableStatusCodes: [400], maxAgeSeconds: 86400 };
    const nominal = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => retryDelayMs(policy, n, () => 0.5) / 1000);
    expect(nominal).toEqual([5, 10, 20, 40, 80, 160, 300, 300, 300]);
    expect(retryDelayMs(policy, 3, () => 1)).toBe(24_000);
    expect(retryDelayMs(policy, 1, () => 0)).toBe(5_000);
    expect(retryDelayMs({ ...policy, useExponentialBackoff: false }, 6, () => 0.5)).toBe(5_000);
  });
});
