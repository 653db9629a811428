import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect as natsConnect } from 'nats';
import { connect as amqpConnect } from 'amqplib';
import { connectedSandbox, startTestServer, waitFor, type TestServer } from '../helpers/server.js';
import { WebhookReceiver } from '../helpers/receiver.js';
import { MQTT_URI, NATS_URI, RABBIT_URI, brokers, mqttSubscriber, natsSubscriber, rabbitConsumer, unique, patiently } from './brokers.js';

/** The webhook body without `destination`: what RabbitMQ, NATS and MQTT carry (transports.md, Common). */
const withoutDestination = (body: any) => {
  const { destination: _d, ...rest } = body;
  return rest;
};

describe('event buses on real brokers: RabbitMQ, NATS, Mosquitto', () => {
  let server: TestServer;
  const hook = new WebhookReceiver();
  const inst = unique('bus');
  beforeAll(async () => {
    await hook.start();
    server = await startTestServer({
      RABBITMQ_ENABLED: 'true', RABBITMQ_URI: RABBIT_URI,
      NATS_ENABLED: 'true', NATS_URI,
      MQTT_ENABLED: 'true', MQTT_URI,
      AUTHENTICATION_EXPOSE_IN_FETCH_INSTANCES: 'true',
      EVENTS_RETRY_INITIAL_DELAY_SECONDS: '0.1',
    });
  });
  afterAll(async () => {
    await server?.stop();
    await hook.stop();
  });

  it('set/find per transport with upstream storage rules; a disabled transport answers an empty body', async () => {
    const token = await connectedSandbox(server, `${inst}cfg`, '5511930000001');
    expect((await server.call('GET', `/rabbitmq/find/${inst}cfg`, undefined, token)).body).toBeNull();
    const all = await server.call('POST', `/rabbitmq/set/${inst}cfg`, { rabbitmq: { enabled: true, events: [] } }, token);
    expect(all.status).toBe(201);
    expect(Object.keys(all.body).sort()).toEqual(['createdAt', 'enabled', 'events', 'id', 'instanceId', 'updatedAt']);
    expect(all.body.events).toHaveLength(31);
    const off = await server.call('POST', `/nats/set/${inst}cfg`, { nats: { enabled: false, events: ['MESSAGES_UPSERT'] } }, token);
    expect(off.body).toMatchObject({ enabled: false, events: [] });
    expect((await server.call('GET', `/nats/find/${inst}cfg`, undefined, token)).body).toMatchObject({ id: off.body.id, enabled: false });
    expect((await server.call('POST', `/mqtt/set/${inst}cfg`, { mqtt: { enabled: true, events: ['messages.upsert'] } }, token)).status).toBe(400);
    // SQS is off in this server: set and find answer 201/200 with an empty body, as upstream.
    const sqs = await server.call('POST', `/sqs/set/${inst}cfg`, { sqs: { enabled: true, events: ['MESSAGES_UPSERT'] } }, token);
    expect(sqs.status).toBe(201);
    expect(sqs.body).toBeUndefined();
    const found = await server.call('GET', `/sqs/find/${inst}cfg`, undefined, token);
    expect(found.status).toBe(200);
    expect(found.body).toBeUndefined();
    // Another instance's token reaches nothing of this one.
    const other = await connectedSandbox(server, `${inst}oth`, '5511930000002');
    expect((await server.call('GET', `/rabbitmq/find/${inst}cfg`, undefined, other)).status).toBe(401);
  });

  it('a sandbox message reaches RabbitMQ, NATS and MQTT with the webhook envelope and the event id', async () => {
    const name = `${inst}e2e`;
    const rabbit = await rabbitConsumer(`${name}.messages.upsert`, name, 'messages.upsert');
    const nats = await natsSubscriber(`${name}.messages.upsert`);
    const mqtt = await mqttSubscriber(`${name}/messages.upsert`);
    try {
      const token = await connectedSandbox(server, name, '5511930000003', { webhook: { url: hook.url, events: ['MESSAGES_UPSERT'] } });
      for (const t of ['rabbitmq', 'nats', 'mqtt']) expect((await server.call('POST', `/${t}/set/${name}`, { [t]: { enabled: true, events: ['MESSAGES_UPSERT'] } }, token)).status).toBe(201);
      await server.call('POST', `/sandbox/inbound/${name}`, { from: '5511920000077', pushName: 'Ana', text: 'over every bus' });
      const webhook = await hook.waitForEvent('messages.upsert', (r) => r.body.instance === name);
      const expected = withoutDestination(webhook.body);
      const id = String(webhook.headers['webhook-id']);
      await waitFor(() => rabbit.got.length && nats.got.length && mqtt.got.length, 60_000, 'the event on all three buses');
      expect(rabbit.got[0]!.body).toEqual(expected);
      expect(rabbit.got[0]!.properties).toMatchObject({ messageId: id, contentType: 'application/json', deliveryMode: 2, type: 'messages.upsert' });
      expect(nats.got[0]!.body).toEqual(expected);
      expect(nats.got[0]!.id).toBe(id);
      expect(mqtt.got[0]!.body).toEqual(expected);
      expect(mqtt.got[0]!.id).toBe(id);
      expect(expected.data.message.conversation).toBe('over every bus');
      expect(expected.apikey).toBe(token);
      // Only the selected event went out.
      expect(rabbit.got.every((g) => g.body.event === 'messages.upsert')).toBe(true);
      const stats = server.gateway.worker!.statsByKind;
      for (const k of ['rabbitmq', 'nats', 'mqtt']) expect(stats.get(k)!.deliveredCount).toBeGreaterThanOrEqual(1);
      const metrics = String((await server.call("GET", "/metrics")).body);
      for (const k of ['rabbitmq', 'nats', 'mqtt']) expect(metrics).toMatch(new RegExp(`gateway_bus_delivered_total\\{transport="${k}"\\} [1-9]`));
      expect(metrics).toMatch(/gateway_bus_lag_seconds|gateway_bus_retried_total/);
    } finally {
      await rabbit.close();
      await nats.close();
      await mqtt.close();
    }
  });
});

describe('NATS JetStream', () => {
  let server: TestServer;
  const inst = unique('busjs');
  const stream = inst.toUpperCase();
  beforeAll(async () => {
    const nc = await patiently(() => natsConnect({ servers: NATS_URI.replace('nats://', '') }));
    await (await nc.jetstreamManager()).streams.add({ name: stream, subjects: [`${inst}.>`] });
    await nc.close();
    server = await startTestServer({ NATS_ENABLED: 'true', NATS_URI, NATS_JETSTREAM_ENABLED: 'true', EVENTS_RETRY_INITIAL_DELAY_SECONDS: '0.1' });
  });
  afterAll(async () => {
    await server?.stop();
    const nc = await patiently(() => natsConnect({ servers: NATS_URI.replace('nats://', '') }));
    await (await nc.jetstreamManager()).streams.delete(stream).catch(() => undefined);
    await nc.close();
  });

  it('stores each event in the stream once, with the event id as Nats-Msg-Id', async () => {
    const token = await connectedSandbox(server, inst, '5511930000004');
    await server.call('POST', `/nats/set/${inst}`, { nats: { enabled: true, events: ['MESSAGES_UPSERT'] } }, token);
    await server.call('POST', `/sandbox/inbound/${inst}`, { from: '5511920000078', text: 'kept by jetstream' });
    const nc = await patiently(() => natsConnect({ servers: NATS_URI.replace('nats://', '') }));
    try {
      const jsm = await nc.jetstreamManager();
      await waitFor(async () => (await jsm.streams.info(stream)).state.messages >= 1, 10_000, 'the event in the stream');
      const msg = await jsm.streams.getMessage(stream, { seq: 1 });
      const body = JSON.parse(Buffer.from(msg.data).toString());
      expect(msg.subject).toBe(`${inst}.messages.upsert`);
      expect(body).toMatchObject({ event: 'messages.upsert', instance: inst, data: { message: { conversation: 'kept by jetstream' } } });
      expect(msg.header.get('Nats-Msg-Id')).toMatch(/^evt_/);
    } finally {
      await nc.close();
    }
  });
});

// Restarts last, in this file: tests of one file run one after another, so no other test of this suite has a broker
// restarted under it.
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
    const model = await patiently(() => amqpConnect(RABBIT_URI));
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
    const nc = await patiently(() => natsConnect({ servers: NATS_URI.replace('nats://', '') }));
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
