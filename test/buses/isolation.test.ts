import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectedSandbox, startTestServer, waitFor, type TestServer } from '../helpers/server.js';
import { WebhookReceiver } from '../helpers/receiver.js';

/** A broker that accepts connections and never answers (worse than a refused port: every connect waits its timeout). */
async function blackhole(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

/** A port nothing listens on (a stopped broker). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('isolation: stopped brokers do not hold back webhook delivery of the same events', () => {
  let server: TestServer;
  const hook = new WebhookReceiver();
  let rabbit: Awaited<ReturnType<typeof blackhole>>;
  let nats: Awaited<ReturnType<typeof blackhole>>;
  beforeAll(async () => {
    await hook.start();
    rabbit = await blackhole();
    nats = await blackhole();
    server = await startTestServer({
      RABBITMQ_ENABLED: 'true', RABBITMQ_URI: `amqp://guest:guest@127.0.0.1:${rabbit.port}`,
      NATS_ENABLED: 'true', NATS_URI: `nats://127.0.0.1:${nats.port}`,
      MQTT_ENABLED: 'true', MQTT_URI: `mqtt://127.0.0.1:${await closedPort()}`,
    });
  });
  afterAll(async () => {
    await server?.stop();
    await hook.stop();
    await rabbit.close();
    await nats.close();
  });

  it('every webhook arrives, in chat order, while all three buses fail and keep their rows pending', async () => {
    const token = await connectedSandbox(server, 'iso', '5511980000001', { webhook: { url: hook.url, events: ['MESSAGES_UPSERT'] } });
    for (const t of ['rabbitmq', 'nats', 'mqtt']) await server.call('POST', `/${t}/set/iso`, { [t]: { enabled: true, events: ['MESSAGES_UPSERT'] } }, token);
    const N = 200;
    const chats = 8;
    await Promise.all(
      Array.from({ length: chats }, async (_, c) => {
        for (let i = c; i < N; i += chats) await server.call('POST', '/sandbox/inbound/iso', { from: `55119810000${c}`, text: `iso ${String(i).padStart(3, '0')}` });
      }),
    );
    const upserts = () => hook.received.filter((r) => r.body.event === 'messages.upsert' && r.body.instance === 'iso');
    await waitFor(() => upserts().length >= N, 30_000, `${N} webhooks`);
    const stats = server.gateway.worker!.statsByKind;
    const latencies = upserts().map((r) => r.at - Date.parse(r.body.date_time)).sort((a, b) => a - b);
    console.log(`[isolation] ${N} webhooks, latency p50 ${latencies[Math.floor(N / 2)]} ms p95 ${latencies[Math.floor(N * 0.95)]} ms; bus deliveries: ${['rabbitmq', 'nats', 'mqtt'].map((k) => `${k} ${stats.get(k)!.deliveredCount} delivered / ${stats.get(k)!.retried} retried`).join(', ')}`);
    // Per chat, in order.
    for (let c = 0; c < chats; c++) {
      const texts = upserts().filter((r) => r.body.data.key.remoteJid.startsWith(`55119810000${c}`)).map((r) => r.body.data.message.conversation);
      expect(texts).toEqual([...texts].sort());
    }
    for (const k of ['rabbitmq', 'nats', 'mqtt']) expect(stats.get(k)!.deliveredCount).toBe(0);
    // The webhook rows are all written back as delivered; every bus row is still pending.
    const pendingByKind = async () => Object.fromEntries((await server.gateway.db.kysely.selectFrom('eventOutbox').select(['kind', (eb) => eb.fn.countAll<number>().as('n')]).where('state', '=', 'pending').groupBy('kind').execute()).map((p) => [p.kind, Number(p.n)]));
    const byKind = await waitFor(async () => {
      const k = await pendingByKind();
      return !k.webhook && k;
    }, 5000, 'webhook rows written back');
    expect(byKind).toMatchObject({ rabbitmq: N, nats: N, mqtt: N });
  }, 60_000);
});
