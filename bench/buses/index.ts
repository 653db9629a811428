/**
 * Event-bus benchmark: events/s and event-to-consumer latency per sink, each against a floor measured in the same run.
 * A gateway runs in this process (fresh SQLite file) with one sink enabled and one sandbox instance subscribed to
 * presence.update; --events events are emitted in-process over 200 chats (at most --in-flight not yet consumed), and an
 * independent consumer of the broker (amqplib, nats, mqtt.js, the SDK's fake SQS, the fake Pusher, socket.io-client)
 * counts distinct event ids (Kafka, SQS and Pusher are local fakes of their protocols). Floor: the same number of messages published straight to the broker by its client library,
 * with the same guarantee (confirms, JetStream acks, QoS 1 acks), no gateway. Then the isolation scenario: webhook
 * delivery of the same events with and without three dead brokers enabled (RabbitMQ and NATS that accept and never
 * answer, MQTT refused).
 *
 *   npm run bench:buses -- --events 5000 --only rabbitmq,nats,isolation
 */
import { createServer, type Server } from 'node:http';
import { createServer as createTcp, type Socket } from 'node:net';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execSync } from 'node:child_process';
import { connect as amqpConnect } from 'amqplib';
import { connect as natsConnect, headers as natsHeaders } from 'nats';
import { connectAsync } from 'mqtt';
import { io as socketClient } from 'socket.io-client';
import { loadConfig } from '../../src/config.js';
import { createLogger, startServer, type RunningServer } from '../../src/server.js';
import { percentile, printGrid } from '../load.js';
import { FakeSqs } from './fakes/sqs.js';
import { FakePusher } from './fakes/pusher.js';
import { FakeKafka } from './fakes/kafka.js';
import { Kafka, logLevel } from 'kafkajs';

const KEY = 'bench-buses-key-0123456789';
const RABBIT = process.env.BENCH_RABBITMQ_URI ?? 'amqp://guest:guest@127.0.0.1:5672';
const NATS = process.env.BENCH_NATS_URI ?? 'nats://127.0.0.1:4222';
const MQTT = process.env.BENCH_MQTT_URI ?? 'mqtt://127.0.0.1:1883';

interface Result {
  sink: string;
  what: string;
  events: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  floor?: number;
  note?: string;
}

interface Consumer {
  /** Arrival time (ms) by event index. */
  seen: Map<number, number>;
  close(): Promise<void>;
}

const now = () => performance.timeOrigin + performance.now();
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};
const EVENTS = Number(arg('events', '4000'));
const IN_FLIGHT = Number(arg('in-flight', '2000'));
const ONLY = arg('only', 'rabbitmq,nats,nats-jetstream,mqtt,kafka,sqs,pusher,websocket,isolation').split(',');

/** Records one arrival from a consumed envelope. */
function record(seen: Map<number, number>, body: string | Buffer): void {
  const env = JSON.parse(body.toString()) as { data?: { i?: number } };
  const i = env.data?.i;
  if (typeof i === 'number' && !seen.has(i)) seen.set(i, now());
}

async function gateway(env: Record<string, string>, dir: string): Promise<RunningServer> {
  mkdirSync(dir, { recursive: true });
  return startServer(loadConfig({ AUTHENTICATION_API_KEY: KEY, DATABASE_PROVIDER: 'sqlite', DATABASE_CONNECTION_URI: join(dir, 'g.db'), SERVER_PORT: '0', SERVER_HOST: '127.0.0.1', LOG_LEVEL: 'silent', SANDBOX_ACK_DELAY_MS: '0', ...env }), createLogger('silent'));
}

async function instance(server: RunningServer, name: string, kind?: string, extra: Record<string, unknown> = {}, webhook?: string) {
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${server.url}${path}`, { method: 'POST', headers: { apikey: KEY, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  };
  await post('/instance/create', { instanceName: name, integration: 'SANDBOX', qrcode: true, ...(webhook ? { webhook: { url: webhook, events: ['PRESENCE_UPDATE'] } } : {}) });
  await post(`/sandbox/scan/${name}`, { number: '5511970099999' });
  if (kind) await post(`/${kind}/set/${name}`, { [kind]: { enabled: true, events: ['PRESENCE_UPDATE'], ...extra } });
  const live = server.gateway.registry.get(name)!;
  await server.gateway.instances.idle(live);
  return live;
}

/** Emits EVENTS presence.update events over 200 chats, at most IN_FLIGHT not yet seen; resolves when all are seen. */
async function flood(server: RunningServer, name: string, seen: Map<number, number>, timeoutMs = 120_000): Promise<{ emitted: Map<number, number>; ms: number }> {
  const live = server.gateway.registry.get(name)!;
  const emitted = new Map<number, number>();
  const started = now();
  for (let i = 0; i < EVENTS; i++) {
    while (i - seen.size >= IN_FLIGHT) await new Promise((r) => setTimeout(r, 2));
    emitted.set(i, now());
    void server.gateway.bus.emit(live.eventSource, 'presence.update', { i, id: `5511880${String(i % 200).padStart(6, '0')}@s.whatsapp.net`, presences: {} }, `5511880${String(i % 200).padStart(6, '0')}@s.whatsapp.net`);
  }
  const deadline = Date.now() + timeoutMs;
  while (seen.size < EVENTS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  return { emitted, ms: now() - started };
}

function summarise(sink: string, what: string, seen: Map<number, number>, emitted: Map<number, number>, ms: number, floor?: number, note?: string): Result {
  const lat = [...seen].map(([i, at]) => at - emitted.get(i)!).sort((a, b) => a - b);
  const missing = EVENTS - seen.size;
  return { sink, what, events: seen.size, perSecond: Math.round((seen.size / ms) * 1000), p50: +percentile(lat, 50).toFixed(1), p95: +percentile(lat, 95).toFixed(1), p99: +percentile(lat, 99).toFixed(1), floor, note: missing ? `${missing} MISSING${note ? `; ${note}` : ''}` : note };
}

async function timed(n: number, publish: (i: number) => Promise<unknown>, window = 500): Promise<number> {
  const started = now();
  for (let at = 0; at < n; at += window) await Promise.all(Array.from({ length: Math.min(window, n - at) }, (_, k) => publish(at + k)));
  return Math.round((n / (now() - started)) * 1000);
}

async function runSink(sink: string, dir: string): Promise<Result> {
  const name = `bench${sink.replace(/\W/g, '')}${Date.now().toString(36)}`;
  const body = (i: number) => Buffer.from(JSON.stringify({ event: 'presence.update', instance: name, data: { i } }));
  const seen = new Map<number, number>();
  let consumer: Consumer;
  let env: Record<string, string> = {};
  let floor: number | undefined;
  let kind = sink;
  let extra: Record<string, unknown> = {};
  let cleanup = async () => undefined as unknown;
  const fakes: Array<{ stop(): Promise<void> }> = [];
  if (sink === 'rabbitmq') {
    const model = await amqpConnect(RABBIT);
    const ch = await model.createChannel();
    const q = `${name}.presence.update`;
    await ch.assertExchange(name, 'topic', { durable: true });
    await ch.assertQueue(q, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    await ch.bindQueue(q, name, 'presence.update');
    // Floor: amqplib publishing the same count with confirms, persistent, straight to the queue's exchange.
    const cc = await model.createConfirmChannel();
    floor = await timed(EVENTS, (i) => new Promise<void>((r, j) => cc.publish(name, 'floor', body(i), { persistent: true }, (e) => (e ? j(e) : r()))));
    await ch.consume(q, (m) => m && record(seen, m.content), { noAck: true });
    consumer = { seen, close: async () => void (await ch.deleteQueue(q), await ch.deleteExchange(name), await model.close()) };
    env = { RABBITMQ_ENABLED: 'true', RABBITMQ_URI: RABBIT };
  } else if (sink === 'nats' || sink === 'nats-jetstream') {
    kind = 'nats';
    const nc = await natsConnect({ servers: NATS.replace('nats://', '') });
    const js = sink === 'nats-jetstream';
    const stream = name.toUpperCase();
    if (js) await (await nc.jetstreamManager()).streams.add({ name: stream, subjects: [`${name}.>`] });
    const floorSubject = `${name}.floor`;
    if (js) {
      const jsc = nc.jetstream();
      floor = await timed(EVENTS, (i) => jsc.publish(floorSubject, body(i), { msgID: `f${i}` }));
    } else {
      floor = await timed(EVENTS, async (i) => {
        const h = natsHeaders();
        h.set('Nats-Msg-Id', `f${i}`);
        nc.publish(floorSubject, body(i), { headers: h });
      }, EVENTS);
      await nc.flush();
      floor = Math.round(floor);
    }
    const sub = nc.subscribe(`${name}.presence.update`);
    void (async () => {
      for await (const m of sub) record(seen, Buffer.from(m.data));
    })();
    await nc.flush();
    consumer = { seen, close: async () => void (js && (await (await nc.jetstreamManager()).streams.delete(stream)), await nc.close()) };
    env = { NATS_ENABLED: 'true', NATS_URI: NATS, NATS_JETSTREAM_ENABLED: String(js) };
  } else if (sink === 'mqtt') {
    const sub = await connectAsync(MQTT, { protocolVersion: 5, clientId: `${name}sub`, clean: true });
    sub.on('message', (_t, payload) => record(seen, payload));
    await sub.subscribeAsync(`${name}/presence.update`, { qos: 1 });
    const pub = await connectAsync(MQTT, { protocolVersion: 5, clientId: `${name}pub` });
    floor = await timed(EVENTS, (i) => pub.publishAsync(`${name}/floor`, body(i), { qos: 1 }));
    await pub.endAsync();
    consumer = { seen, close: () => sub.endAsync(true) };
    env = { MQTT_ENABLED: 'true', MQTT_URI: MQTT };
  } else if (sink === 'kafka') {
    const fake = await new FakeKafka().start();
    fakes.push(fake);
    // Floor: kafkajs's idempotent producer sending the same count straight to the fake broker, batches of 200.
    const producer = new Kafka({ clientId: 'floor', brokers: [fake.broker], logLevel: logLevel.NOTHING }).producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const started = now();
    for (let at = 0; at < EVENTS; at += 200) await producer.sendBatch({ acks: -1, topicMessages: [{ topic: 'floor', messages: Array.from({ length: Math.min(200, EVENTS - at) }, (_, k) => ({ key: 'k', value: body(at + k) })) }] });
    floor = Math.round((EVENTS / (now() - started)) * 1000);
    await producer.disconnect();
    let read = 0;
    const topic = `evolution.${name}.presence.update`;
    const poll = setInterval(() => {
      for (; read < fake.records.length; read++) if (fake.records[read]!.topic === topic) record(seen, fake.records[read]!.value);
    }, 2);
    consumer = { seen, close: async () => clearInterval(poll) };
    env = { KAFKA_ENABLED: 'true', KAFKA_BROKERS: fake.broker };
  } else if (sink === 'sqs') {
    const fake = await new FakeSqs('AKIDBENCH').start();
    fakes.push(fake);
    const q = `${name}_presence_update.fifo`;
    const poll = setInterval(() => {
      for (const m of fake.queues.get(q)?.splice(0) ?? []) record(seen, m.Body);
    }, 2);
    consumer = { seen, close: async () => clearInterval(poll) };
    env = { SQS_ENABLED: 'true', SQS_ACCESS_KEY_ID: 'AKIDBENCH', SQS_SECRET_ACCESS_KEY: 'bench', SQS_ACCOUNT_ID: '000000000000', SQS_ENDPOINT: fake.url };
  } else if (sink === 'pusher') {
    const fake = await new FakePusher({ '777': { key: 'bench-key', secret: 'bench-secret' } }).start();
    fakes.push(fake);
    extra = { appId: '777', key: 'bench-key', secret: 'bench-secret', cluster: 'mt1', useTLS: false };
    let read = 0;
    const poll = setInterval(() => {
      for (; read < fake.events.length; read++) record(seen, fake.events[read]!.data);
    }, 2);
    consumer = { seen, close: async () => clearInterval(poll) };
    env = { PUSHER_ENABLED: 'true', PUSHER_HOST: fake.host };
  } else {
    env = { WEBSOCKET_ENABLED: 'true' };
    consumer = { seen, close: async () => undefined };
  }
  const server = await gateway(env, join(dir, sink));
  try {
    await instance(server, name, kind, extra);
    if (sink === 'websocket') {
      const socket = socketClient(`${server.url}/${name}`, { transports: ['websocket'], query: { apikey: KEY } });
      await new Promise<void>((r, j) => (socket.on('connect', () => r()), socket.on('connect_error', j)));
      socket.on('presence.update', (env: { data: { i: number } }) => seen.has(env.data.i) || seen.set(env.data.i, now()));
      cleanup = async () => socket.close();
    }
    const { emitted, ms } = await flood(server, name, seen);
    return summarise(sink, sink === 'websocket' ? 'live (not durable)' : 'durable', seen, emitted, ms, floor);
  } finally {
    await cleanup();
    await server.stop();
    await consumer.close().catch(() => undefined);
    for (const f of fakes) await f.stop();
  }
}

/** Removes what the gateway declared on the shared RabbitMQ for an instance. */
async function dropRabbit(name: string): Promise<void> {
  const model = await amqpConnect(RABBIT);
  const ch = await model.createChannel();
  await ch.deleteQueue(`${name}.presence.update`).catch(() => undefined);
  await ch.deleteExchange(name).catch(() => undefined);
  await model.close().catch(() => undefined);
}

/** Webhook delivery of the same events, alone and with three dead brokers enabled for them. */
async function isolation(dir: string): Promise<Result[]> {
  const seen = new Map<number, number>();
  const hook: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      record(seen, Buffer.concat(chunks));
      res.end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(hook.address() as { port: number }).port}/hook`;
  const sockets = new Set<Socket>();
  const hole = createTcp((s) => (sockets.add(s), s.on('error', () => undefined)));
  await new Promise<void>((r) => hole.listen(0, '127.0.0.1', r));
  const holePort = (hole.address() as { port: number }).port;
  const results: Result[] = [];
  try {
    const healthy = { RABBITMQ_ENABLED: 'true', RABBITMQ_URI: RABBIT, NATS_ENABLED: 'true', NATS_URI: NATS, MQTT_ENABLED: 'true', MQTT_URI: MQTT };
    const dead = { RABBITMQ_ENABLED: 'true', RABBITMQ_URI: `amqp://127.0.0.1:${holePort}`, NATS_ENABLED: 'true', NATS_URI: `nats://127.0.0.1:${holePort}`, MQTT_ENABLED: 'true', MQTT_URI: 'mqtt://127.0.0.1:1' };
    const variants: Array<[string, Record<string, string>]> = [['alone', {}], ['with 3 healthy brokers (floor)', healthy], ['with 3 dead brokers', dead]];
    for (const [label, env] of variants) {
      seen.clear();
      const server = await gateway(env, join(dir, `iso${results.length}`));
      const name = `iso${results.length}${Date.now().toString(36)}`;
      try {
        await instance(server, name, undefined, {}, url);
        if (env.RABBITMQ_ENABLED) for (const k of ['rabbitmq', 'nats', 'mqtt']) await fetch(`${server.url}/${k}/set/${name}`, { method: 'POST', headers: { apikey: KEY, 'content-type': 'application/json' }, body: JSON.stringify({ [k]: { enabled: true, events: ['PRESENCE_UPDATE'] } }) });
        const { emitted, ms } = await flood(server, name, seen);
        results.push(summarise('webhook', label, seen, emitted, ms));
      } finally {
        await server.stop();
        if (env === healthy) await dropRabbit(name);
      }
    }
  } finally {
    for (const s of sockets) s.destroy();
    hole.close();
    hook.close();
  }
  results[2]!.floor = results[1]!.perSecond;
  return results;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gw-buses-'));
  const results: Result[] = [];
  try {
    for (const sink of ONLY.filter((s) => s !== 'isolation')) {
      const r = await runSink(sink, dir);
      console.log(`  ${r.sink.padEnd(15)} ${r.perSecond} events/s  p50 ${r.p50} p95 ${r.p95} p99 ${r.p99} ms  floor ${r.floor ?? '-'}${r.note ? `  ${r.note}` : ''}`);
      results.push(r);
    }
    if (ONLY.includes('isolation')) results.push(...(await isolation(dir)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  let commit = '';
  try {
    commit = execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    /* not a checkout */
  }
  console.log(`\n${new Date().toISOString()}  commit ${commit}  ${cpus().length} x ${cpus()[0]?.model.split(' ').slice(0, 2).join(' ')}, load ${loadavg()[0]!.toFixed(2)}, ${EVENTS} events, ≤${IN_FLIGHT} in flight\n`);
  printGrid(['sink', 'mode', 'events', 'events/s', 'p50 ms', 'p95 ms', 'p99 ms', 'floor events/s', 'note'], results.map((r) => [r.sink, r.what, r.events, r.perSecond, r.p50, r.p95, r.p99, r.floor ?? '-', r.note ?? ''].map(String)));
  mkdirSync('bench/results', { recursive: true });
  const file = join('bench/results', `${new Date().toISOString().replace(/[:.]/g, '-')}-buses.json`);
  writeFileSync(file, JSON.stringify({ commit, events: EVENTS, inFlight: IN_FLIGHT, results }, null, 2));
  console.log(`\nwritten ${file}`);
  if (results.some((r) => r.note?.includes('MISSING'))) process.exitCode = 2;
}

await main();
process.exit();
