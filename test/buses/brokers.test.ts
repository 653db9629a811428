import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect as natsConnect } from 'nats';
import { connectedSandbox, startTestServer, waitFor, type TestServer } from '../helpers/server.js';
import { WebhookReceiver } from '../helpers/receiver.js';
import { MQTT_URI, NATS_URI, RABBIT_URI, mqttSubscriber, natsSubscriber, rabbitConsumer, unique } from './brokers.js';

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
      await waitFor(() => rabbit.got.length && nats.got.length && mqtt.got.length, 10_000, 'the event on all three buses');
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
    const nc = await natsConnect({ servers: NATS_URI.replace('nats://', '') });
    await (await nc.jetstreamManager()).streams.add({ name: stream, subjects: [`${inst}.>`] });
    await nc.close();
    server = await startTestServer({ NATS_ENABLED: 'true', NATS_URI, NATS_JETSTREAM_ENABLED: 'true', EVENTS_RETRY_INITIAL_DELAY_SECONDS: '0.1' });
  });
  afterAll(async () => {
    await server?.stop();
    const nc = await natsConnect({ servers: NATS_URI.replace('nats://', '') });
    await (await nc.jetstreamManager()).streams.delete(stream).catch(() => undefined);
    await nc.close();
  });

  it('stores each event in the stream once, with the event id as Nats-Msg-Id', async () => {
    const token = await connectedSandbox(server, inst, '5511930000004');
    await server.call('POST', `/nats/set/${inst}`, { nats: { enabled: true, events: ['MESSAGES_UPSERT'] } }, token);
    await server.call('POST', `/sandbox/inbound/${inst}`, { from: '5511920000078', text: 'kept by jetstream' });
    const nc = await natsConnect({ servers: NATS_URI.replace('nats://', '') });
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
