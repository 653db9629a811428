import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect as amqpConnect } from 'amqplib';
import { connect as natsConnect } from 'nats';
import { connectedSandbox, startTestServer, waitFor, type TestServer } from '../helpers/server.js';
import { MQTT_URI, NATS_URI, RABBIT_URI, brokers, mqttSubscriber, unique } from './brokers.js';

/**
 * A broker restarted in the middle of a burst loses nothing: every event reaches it once the broker is back (the
 * outbox retries what failed; receivers deduplicate by event id). The brokers are shared: each outage is short and
 * the broker is always started again, also when the test fails.
 */
const BURST = 60;

/** Half the burst, the broker stopped, a quarter posted while it is down, the broker started, the rest. */
async function burst(server: TestServer, name: string, broker: { stop(): unknown; start(): unknown }): Promise<void> {
  let i = 0;
  const post = async (n: number) => {
    for (; n > 0; n--, i++) {
      const res = await server.call('POST', `/sandbox/inbound/${name}`, { from: `55119300${String(i % 10).padStart(4, '0')}`, text: `burst ${i}` });
      expect(res.status).toBeLessThan(300);
    }
  };
  await post(BURST / 2);
  broker.stop();
  try {
    await post(BURST / 4);
  } finally {
    broker.start();
  }
  await post(BURST - BURST / 2 - BURST / 4);
}

describe('broker restart in the middle of a burst', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      RABBITMQ_ENABLED: 'true', RABBITMQ_URI: RABBIT_URI,
      NATS_ENABLED: 'true', NATS_URI, NATS_JETSTREAM_ENABLED: 'true',
      MQTT_ENABLED: 'true', MQTT_URI,
      EVENTS_RETRY_INITIAL_DELAY_SECONDS: '0.2', EVENTS_RETRY_MAX_DELAY_SECONDS: '1', EVENTS_BREAKER_MAX_COOLDOWN_MS: '1000',
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  const delivered = (kind: string) => server.gateway.worker!.statsByKind.get(kind)!.deliveredCount;

  it('RabbitMQ (rabbitmqctl stop_app / start_app): every event in the quorum queue', async () => {
    const name = unique('rst');
    const token = await connectedSandbox(server, name, '5511970000001');
    await server.call('POST', `/rabbitmq/set/${name}`, { rabbitmq: { enabled: true, events: ['MESSAGES_UPSERT'] } }, token);
    const before = delivered('rabbitmq');
    await burst(server, name, brokers.rabbitmq);
    await waitFor(() => delivered('rabbitmq') - before >= BURST, 60_000, `${BURST} confirmed publishes`);
    const model = await amqpConnect(RABBIT_URI);
    const ch = await model.createChannel();
    const ids = new Set<string>();
    const texts = new Set<string>();
    for (;;) {
      const m = await ch.get(`${name}.messages.upsert`, { noAck: true });
      if (!m) break;
      ids.add(String(m.properties.messageId));
      texts.add(JSON.parse(m.content.toString()).data.message.conversation);
    }
    await ch.deleteQueue(`${name}.messages.upsert`).catch(() => undefined);
    await ch.deleteExchange(name).catch(() => undefined);
    await model.close();
    console.log(`[restart/rabbitmq] ${BURST} events, ${ids.size} distinct ids in the queue, retried ${server.gateway.worker!.statsByKind.get('rabbitmq')!.retried}`);
    expect(texts.size).toBe(BURST);
    expect(ids.size).toBe(BURST);
    expect(server.gateway.worker!.statsByKind.get('rabbitmq')!.retried).toBeGreaterThan(0);
  }, 180_000);

  it('NATS JetStream (server killed and started again): every event in the stream, once', async () => {
    const name = unique('rstjs');
    const stream = name.toUpperCase();
    const nc = await natsConnect({ servers: NATS_URI.replace('nats://', '') });
    await (await nc.jetstreamManager()).streams.add({ name: stream, subjects: [`${name}.>`] });
    await nc.close();
    const token = await connectedSandbox(server, name, '5511970000002');
    await server.call('POST', `/nats/set/${name}`, { nats: { enabled: true, events: ['MESSAGES_UPSERT'] } }, token);
    const before = delivered('nats');
    await burst(server, name, brokers.nats);
    await waitFor(() => delivered('nats') - before >= BURST, 60_000, `${BURST} stream acknowledgements`);
    const check = await waitFor(() => natsConnect({ servers: NATS_URI.replace('nats://', '') }).catch(() => undefined), 20_000, 'NATS back');
    const jsm = await check.jetstreamManager();
    const info = await jsm.streams.info(stream);
    const texts = new Set<string>();
    for (let seq = 1; seq <= info.state.last_seq; seq++) texts.add(JSON.parse(Buffer.from((await jsm.streams.getMessage(stream, { seq })).data).toString()).data.message.conversation);
    await jsm.streams.delete(stream).catch(() => undefined);
    await check.close();
    console.log(`[restart/nats] ${BURST} events, ${info.state.messages} messages in the stream, retried ${server.gateway.worker!.statsByKind.get('nats')!.retried}`);
    expect(texts.size).toBe(BURST);
    expect(info.state.messages).toBe(BURST);
    expect(server.gateway.worker!.statsByKind.get('nats')!.retried).toBeGreaterThan(0);
  }, 180_000);

  it('Mosquitto (killed and started again): a persistent QoS 1 subscriber gets every event', async () => {
    const name = unique('rstmq');
    const sub = await mqttSubscriber(`${name}/messages.upsert`);
    const token = await connectedSandbox(server, name, '5511970000003');
    await server.call('POST', `/mqtt/set/${name}`, { mqtt: { enabled: true, events: ['MESSAGES_UPSERT'] } }, token);
    await burst(server, name, brokers.mosquitto);
    try {
      await waitFor(() => new Set(sub.got.map((g) => g.id)).size >= BURST, 60_000, `${BURST} distinct events at the subscriber`);
      const texts = new Set(sub.got.map((g) => g.body.data.message.conversation));
      console.log(`[restart/mosquitto] ${BURST} events, ${sub.got.length} received (${new Set(sub.got.map((g) => g.id)).size} distinct), retried ${server.gateway.worker!.statsByKind.get('mqtt')!.retried}`);
      expect(texts.size).toBe(BURST);
      expect(server.gateway.worker!.statsByKind.get('mqtt')!.retried).toBeGreaterThan(0);
    } finally {
      await sub.close();
    }
  }, 180_000);
});
