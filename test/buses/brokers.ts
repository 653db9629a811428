import { execFileSync, spawnSync } from 'node:child_process';
import { connect as amqpConnect, type ChannelModel } from 'amqplib';
import { connect as natsConnect, type NatsConnection } from 'nats';
import { connectAsync, type MqttClient } from 'mqtt';

/** The brokers of this machine (README: local services), shared with other engineers' tests: names are unique per run. */
export const RABBIT_URI = process.env.TEST_RABBITMQ_URI ?? 'amqp://guest:guest@127.0.0.1:5672';
export const NATS_URI = process.env.TEST_NATS_URI ?? 'nats://127.0.0.1:4222';
export const MQTT_URI = process.env.TEST_MQTT_URI ?? 'mqtt://127.0.0.1:1883';

/**
 * Connects, retrying for a while: test/buses/restart.test.ts (or another engineer's test) may be restarting the
 * broker right now.
 */
export async function patiently<T>(connect: () => Promise<T>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await connect();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

export const unique = (prefix: string) => `${prefix}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

/** Independent RabbitMQ consumer of one queue (declared as the gateway declares it). */
export async function rabbitConsumer(queue: string, exchange: string, key: string) {
  const model: ChannelModel = await patiently(() => amqpConnect(RABBIT_URI));
  const ch = await model.createChannel();
  await ch.assertExchange(exchange, 'topic', { durable: true });
  await ch.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  await ch.bindQueue(queue, exchange, key);
  const got: Array<{ body: any; properties: Record<string, any> }> = [];
  await ch.consume(queue, (m) => {
    if (!m) return;
    got.push({ body: JSON.parse(m.content.toString()), properties: m.properties as Record<string, any> });
    ch.ack(m);
  });
  return {
    got,
    async close(cleanup = true) {
      if (cleanup) {
        await ch.deleteQueue(queue).catch(() => undefined);
        await ch.deleteExchange(exchange).catch(() => undefined);
      }
      await model.close().catch(() => undefined);
    },
  };
}

export async function natsSubscriber(subject: string) {
  const nc: NatsConnection = await patiently(() => natsConnect({ servers: NATS_URI.replace('nats://', '') }));
  const got: Array<{ body: any; id?: string }> = [];
  const sub = nc.subscribe(subject);
  void (async () => {
    for await (const m of sub) got.push({ body: JSON.parse(Buffer.from(m.data).toString()), id: m.headers?.get('Nats-Msg-Id') });
  })();
  await nc.flush();
  return { got, nc, close: () => nc.close() };
}

/** MQTT 5 subscriber with a persistent session (clean: false): QoS 1 messages wait for it while it is away. */
export async function mqttSubscriber(topic: string, clientId = unique('busesub')) {
  const client: MqttClient = await patiently(() => connectAsync(MQTT_URI, { protocolVersion: 5, clientId, clean: false, properties: { sessionExpiryInterval: 300 }, reconnectPeriod: 200 }));
  const got: Array<{ body: any; id?: string; topic: string }> = [];
  client.on('message', (t, payload, packet) => {
    const props = packet.properties?.userProperties as Record<string, string> | undefined;
    got.push({ topic: t, body: JSON.parse(payload.toString()), id: props?.['event-id'] });
  });
  await client.subscribeAsync(topic, { qos: 1 });
  return { got, client, close: () => client.endAsync(true) };
}

/** A broker restart inside a test (others may use the broker: the outage is kept short and it is always started again). */
export const brokers = {
  rabbitmq: {
    stop: () => execFileSync('rabbitmqctl', ['stop_app'], { stdio: 'pipe', timeout: 60_000 }),
    start: () => execFileSync('rabbitmqctl', ['start_app'], { stdio: 'pipe', timeout: 120_000 }),
  },
  nats: {
    stop: () => spawnSync('pkill', ['-x', 'nats-server'], { stdio: 'pipe' }),
    start: () => execFileSync('start-stop-daemon', ['--start', '--oknodo', '--background', '--exec', '/usr/sbin/nats-server', '--', '-a', '127.0.0.1', '-p', '4222', '-js', '-sd', '/var/lib/nats-server', '-l', '/var/log/nats-server.log'], { stdio: 'pipe' }),
  },
  mosquitto: {
    stop: () => spawnSync('pkill', ['-x', 'mosquitto'], { stdio: 'pipe' }),
    start: () => execFileSync('mosquitto', ['-d', '-c', '/etc/mosquitto/mosquitto.conf'], { stdio: 'pipe' }),
  },
};
