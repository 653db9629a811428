import { randomUUID } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { GatewayEvent } from '../../src/domain/events.js';
import { connectedSandbox, startTestServer, waitFor, type TestServer } from '../helpers/server.js';

const REDIS = 'redis://127.0.0.1:6379';

describe('the gateway with the Redis cache', () => {
  const prefix = `gw-cache-test-${randomUUID()}`;
  const redis = new Redis(REDIS);
  const events: GatewayEvent[] = [];
  let server: TestServer;
  const keys = async (pattern = '*') => (await redis.keys(`${prefix}:${pattern}`)).map((k) => k.slice(prefix.length + 1)).sort();

  beforeAll(async () => {
    server = await startTestServer({ CACHE_REDIS_ENABLED: 'true', CACHE_REDIS_URI: REDIS, CACHE_REDIS_PREFIX_KEY: prefix });
    server.gateway.bus.subscribe((e) => events.push(e));
  });
  afterAll(async () => {
    await server?.stop();
    const left = await redis.keys(`${prefix}:*`);
    if (left.length) await redis.del(...left);
    redis.disconnect();
  });

  it('reports Redis in readiness', async () => {
    const ready = await server.call('GET', '/health/ready', undefined, null);
    expect(ready).toMatchObject({ status: 200, body: { status: 'healthy', checks: { cache: { ok: true, kind: 'redis' } } } });
  });

  it('number checks and profile pictures reach the channel once; contact names skip the upsert; logout and delete invalidate', async () => {
    const token = await connectedSandbox(server, 'cached', '5511977770001');
    const live = server.gateway.registry.get('cached')!;
    const id = live.id;
    const checkNumbers = vi.spyOn(live.channel.numbers!, 'checkNumbers');
    const profilePictureUrl = vi.spyOn(live.channel.profile!, 'pictureUrl');
    const upsert = vi.spyOn(server.gateway.repos.chatWrites, 'upsertContacts');

    const numbers = { numbers: ['5511977770002', '0001112223'] };
    const first = await server.call('POST', '/chat/whatsappNumbers/cached', numbers, token);
    const second = await server.call('POST', '/chat/whatsappNumbers/cached', numbers, token);
    expect(first.body.map((n: any) => n.exists)).toEqual([true, false]);
    expect(second.body).toEqual(first.body);
    expect(checkNumbers).toHaveBeenCalledTimes(1);
    expect(await redis.pttl(`${prefix}:${id}:number:5511977770002@s.whatsapp.net`)).toBeGreaterThan(604_000_000);
    expect(await redis.pttl(`${prefix}:${id}:number:0001112223@s.whatsapp.net`)).toBeLessThanOrEqual(900_000);
    // sendText checks the number too: already known.
    expect((await server.call('POST', '/message/sendText/cached', { number: '5511977770002', text: 'hi' }, token)).status).toBe(201);
    expect((await server.call('POST', '/message/sendText/cached', { number: '0001112223', text: 'hi' }, token)).status).toBe(400);
    expect(checkNumbers).toHaveBeenCalledTimes(1);

    for (let i = 0; i < 2; i++) {
      const pic = await server.call('POST', '/chat/fetchProfilePictureUrl/cached', { number: '5511977770002' }, token);
      expect(pic.body).toEqual({ wuid: '5511977770002@s.whatsapp.net', profilePictureUrl: null });
    }
    expect(profilePictureUrl).toHaveBeenCalledTimes(1);

    const from = '5511955550001';
    const jid = `${from}@s.whatsapp.net`;
    const inbound = (pushName: string | undefined, text: string) => server.call('POST', '/sandbox/inbound/cached', { from, text, ...(pushName ? { pushName } : {}) });
    const contactEvents = () => events.filter((e) => e.instanceId === id && e.event.startsWith('contacts.')).map((e) => [e.event, (e.data as any).pushName]);
    await inbound('Carla', 'one');
    await inbound('Carla', 'two');
    await inbound(undefined, 'three');
    expect(upsert).toHaveBeenCalledTimes(1);
    await inbound('Carla Souza', 'four');
    expect(upsert).toHaveBeenCalledTimes(2);
    await inbound('Carla Souza', 'five');
    expect(upsert).toHaveBeenCalledTimes(2);
    await waitFor(() => events.filter((e) => e.instanceId === id && e.event === 'messages.upsert').length === 5, 3000, 'five messages');
    expect(contactEvents()).toEqual([['contacts.upsert', 'Carla'], ['contacts.update', 'Carla Souza']]);
    const stored = await server.call('POST', '/chat/findContacts/cached', { where: { remoteJid: jid } }, token);
    expect(stored.body.map((c: any) => c.pushName)).toEqual(['Carla Souza']);
    expect(JSON.parse((await redis.get(`${prefix}:${id}:contact:${jid}`))!)).toEqual({ pushName: 'Carla Souza' });

    expect(await keys(`${id}:*`)).toEqual([
      `${id}:contact:${jid}`,
      `${id}:number:0001112223@s.whatsapp.net`,
      `${id}:number:5511977770002@s.whatsapp.net`,
      `${id}:picture:5511977770002@s.whatsapp.net`,
    ]);
    // Logout: what the next account sees may differ; the stored contact rows (and their cached names) stay.
    expect((await server.call('DELETE', '/instance/logout/cached', undefined, token)).status).toBe(200);
    expect(await keys(`${id}:*`)).toEqual([`${id}:contact:${jid}`]);
    expect((await server.call('DELETE', '/instance/delete/cached', undefined, token)).status).toBe(200);
    expect(await keys(`${id}:*`)).toEqual([]);
  });
});

describe('the gateway with Redis configured but unreachable', () => {
  let server: TestServer;
  beforeAll(async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const { port } = probe.address() as AddressInfo;
    await new Promise((r) => probe.close(r));
    server = await startTestServer({ CACHE_REDIS_ENABLED: 'true', CACHE_REDIS_URI: `redis://127.0.0.1:${port}`, CACHE_REDIS_PREFIX_KEY: `gw-cache-down-${randomUUID()}` });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('still works (every lookup goes to the channel) and readiness is degraded', async () => {
    const token = await connectedSandbox(server, 'nocache', '5511977770009');
    const checkNumbers = vi.spyOn(server.gateway.registry.get('nocache')!.channel.numbers!, 'checkNumbers');
    for (let i = 0; i < 2; i++) {
      const r = await server.call('POST', '/chat/whatsappNumbers/nocache', { numbers: ['5511977770002'] }, token);
      expect(r).toMatchObject({ status: 200, body: [{ exists: true }] });
    }
    expect(checkNumbers).toHaveBeenCalledTimes(2);
    expect((await server.call('POST', '/sandbox/inbound/nocache', { from: '5511955550002', pushName: 'Dora', text: 'hi' })).status).toBe(201);
    const ready = await server.call('GET', '/health/ready', undefined, null);
    expect(ready).toMatchObject({ status: 503, body: { status: 'degraded', checks: { cache: { ok: false, kind: 'redis' }, database: { ok: true } } } });
  });
});
