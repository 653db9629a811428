/**
 * Webhook delivery benchmark. A gateway runs in this process (fresh SQLite file, or a fresh PostgreSQL/MySQL database
 * created on the server given with --pg/--mysql and dropped after) with sandbox instances whose signed webhook points
 * at a fast receiver (node:http in a worker thread, answering 200 at once, recording each webhook-id and its arrival).
 * Events are produced in-process, not over HTTP, spread over many chats:
 *   sustained  as fast as the pipeline takes them: at most --in-flight events emitted and not yet received (a closed
 *              loop, so the rate is what the pipeline sustains end to end; latency then is mostly queueing: ≈ in-flight
 *              / rate);
 *   paced      a steady --rate (setInterval, a batch every 10 ms), for the latency of a pipeline that keeps up;
 * each with the durable outbox (WEBHOOK_DURABLE=true) and the in-memory dispatcher (false). Latency is receipt time
 * minus the time the producer emitted the event. Every event the gateway committed for the bench instances (seen
 * through bus.subscribe) must reach the receiver: duplicates are counted, missing events are reported loudly and make
 * the exit code 2.
 *
 *   npm run bench                                   # API scenarios, then these
 *   npm run bench:delivery -- --seconds 5           # only these
 *   npm run bench:delivery -- --pg postgres://postgres@127.0.0.1:5432/postgres
 *
 * Options: --seconds N (per scenario, 10), --rate N (paced, per second, 1000), --in-flight N (5000), --chats N (200),
 * --instances N (1), --producer emit|receive (emit: bus.emit of presence.update, one event per call, as the channel
 * listener does; receive: MessageService.receive of an inbound message through the instance queue, ~2 events each,
 * the domain work included), --pipelines durable,memory, --only sustained|paced, --profile DIR (a .cpuprofile of each
 * scenario's producing window, main thread). WEBHOOK_* variables of the environment are passed to the gateway.
 * Prints a table and writes JSON to bench/results/.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setImmediate as tick } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { Session } from 'node:inspector/promises';
import { execSync } from 'node:child_process';
import { loadConfig } from '../src/config.js';
import { createLogger, startServer, type RunningServer } from '../src/server.js';
import type { Provider } from '../src/storage/db.js';
import type { LiveInstance } from '../src/domain/registry.js';
import type { GatewayEvent } from '../src/domain/events.js';
import { percentile, printGrid } from './load.js';
import { hrMs, type ReceiverMessage } from './receiver.js';

export type Producer = 'emit' | 'receive';
export type Pipeline = 'durable' | 'memory';

export interface DeliveryOptions {
  seconds: number;
  rate: number;
  inFlight: number;
  chats: number;
  instances: number;
  producer: Producer;
  pipelines: Pipeline[];
  modes: Array<'sustained' | 'paced'>;
  /** Admin URI of a PostgreSQL / MySQL server: a fresh database is created on it for each pipeline and dropped after. */
  pg?: string;
  mysql?: string;
  /** Directory for a .cpuprofile of each scenario's producing window. */
  profile?: string;
}

export interface DeliveryResult {
  scenario: string;
  pipeline: Pipeline;
  provider: Provider;
  producer: Producer;
  seconds: number;
  /** Producer calls made (emit: one event each; receive: one message, ~2 events). */
  calls: number;
  /** Events committed by the gateway for the bench instances: each must reach the receiver. */
  events: number;
  /** Distinct events received. */
  received: number;
  duplicates: number;
  missing: number;
  /** Signed requests whose webhook-id is not a bench event (e.g. setup events), and unsigned ones. */
  other: number;
  /** Events/s received while the producer ran (sustained: the pipeline's capacity). */
  throughput: number;
  /** Events/s committed while the producer ran. */
  producedPerSecond: number;
  /** Time from the producer's stop to the last receipt. */
  drainMs: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** CPU of this process (all threads) during the scenario, % of one core. */
  cpu: number;
  /** CPU time of this process per received event (µs): less sensitive than events/s to other load on the machine. */
  cpuPerEvent: number;
  /** 1-minute load average of the machine when the scenario started. */
  loadAverage: number;
  /** The durable worker's own latency (event creation to 2xx), for comparison. */
  worker?: { p50: number; p95: number; p99: number };
}

const KEY = 'bench-global-key-0123456789';
const SIGNING_SECRET = 'bench-signing-secret-0123456789';

/** Receives arrivals from the worker-thread receiver. */
class Receiver {
  url = '';
  readonly first = new Map<string, number>();
  /** Extra arrivals of an id beyond its first. */
  readonly duplicates = new Map<string, number>();
  anonymous = 0;
  bytes = 0;
  private readonly worker: Worker;
  private waiters: Array<() => void> = [];

  constructor() {
    this.worker = new Worker(new URL('./receiver.js', import.meta.url));
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.worker.once('error', reject);
      this.worker.on('message', (m: ReceiverMessage) => {
        if (m.type === 'ready') {
          this.url = m.url;
          resolve();
          return;
        }
        for (let i = 0; i < m.ids.length; i++) {
          const id = m.ids[i]!;
          if (this.first.has(id)) this.duplicates.set(id, (this.duplicates.get(id) ?? 0) + 1);
          else this.first.set(id, m.at[i]!);
        }
        this.anonymous += m.anonymous;
        this.bytes += m.bytes;
        this.waiters.splice(0).forEach((w) => w());
      });
    });
  }

  /** Resolves at the next batch of arrivals, or after `ms`. */
  next(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.waiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    this.worker.postMessage('close');
    await new Promise((r) => this.worker.once('exit', r));
  }
}

/** A fresh database per gateway: a temp SQLite file, or a new database on the given server (dropped by `drop`). */
export async function freshDatabase(opts: Pick<DeliveryOptions, 'pg' | 'mysql'>, dir: string, label: string): Promise<{ provider: Provider; uri: string; drop(): Promise<void> }> {
  const name = `gw_delivery_${label}_${randomBytes(4).toString('hex')}`;
  if (opts.pg) {
    const pg = await import('pg');
    const admin = async (q: string) => {
      const c = new pg.default.Client({ connectionString: opts.pg });
      await c.connect();
      try {
        await c.query(q);
      } finally {
        await c.end();
      }
    };
    await admin(`CREATE DATABASE ${name}`);
    const uri = new URL(opts.pg);
    uri.pathname = `/${name}`;
    return { provider: 'postgresql', uri: uri.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
  }
  if (opts.mysql) {
    const mysql = await import('mysql2/promise');
    const admin = async (q: string) => {
      const c = await mysql.createConnection({ uri: opts.mysql });
      try {
        await c.query(q);
      } finally {
        await c.end();
      }
    };
    await admin(`CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
    const uri = new URL(opts.mysql);
    uri.pathname = `/${name}`;
    return { provider: 'mysql', uri: uri.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name}`) };
  }
  return { provider: 'sqlite', uri: join(dir, `${label}.db`), drop: async () => undefined };
}

/** Events committed for the bench instances, with the time their producer call was made. */
class Tracker {
  /** webhook id -> producer time (hrMs). */
  readonly expected = new Map<string, number>();
  /** emit producer: the data object handed to bus.emit -> producer time. */
  readonly byData = new WeakMap<object, number>();
  /** receive producer: message key id -> producer time; events of the same commit and chat inherit it. */
  readonly byKeyId = new Map<string, number>();
  private readonly lastOfChat = new Map<string, number>();
  active = false;
  unstamped = 0;

  constructor(private readonly instanceIds: Set<string>) {}

  observe(e: GatewayEvent): void {
    if (!this.active || !this.instanceIds.has(e.instanceId)) return;
    let at = typeof e.data === 'object' && e.data ? this.byData.get(e.data) : undefined;
    const chat = `${e.instanceId}|${e.remoteJid ?? ''}`;
    if (at === undefined && e.event === 'messages.upsert') {
      const keyId = (e.data as { key?: { id?: string } }).key?.id;
      at = keyId === undefined ? undefined : this.byKeyId.get(keyId);
      if (at !== undefined) {
        this.byKeyId.delete(keyId!);
        this.lastOfChat.set(chat, at);
      }
    }
    at ??= this.lastOfChat.get(chat);
    if (at === undefined) {
      this.unstamped++;
      at = hrMs() - (Date.now() - e.createdAt.getTime());
    }
    this.expected.set(`evt_${e.id}`, at);
  }
}

interface Setup {
  server: RunningServer;
  lives: LiveInstance[];
  jids: string[];
  receiver: Receiver;
  opts: DeliveryOptions;
  pipeline: Pipeline;
  provider: Provider;
}

async function runScenario(s: Setup, mode: 'sustained' | 'paced'): Promise<DeliveryResult> {
  const { server, lives, jids, receiver, opts } = s;
  const { gateway } = server;
  const tracker = new Tracker(new Set(lives.map((l) => l.id)));
  const unsubscribe = gateway.bus.subscribe((e) => tracker.observe(e));
  gateway.worker?.stats.resetLatency();
  const tag = `${mode[0]}${Date.now().toString(36)}`;
  let calls = 0;
  let acked = 0;
  let failed = 0;

  const produce = () => {
    const i = calls++;
    const live = lives[i % lives.length]!;
    const jid = jids[Math.floor(i / lives.length) % jids.length]!;
    if (opts.producer === 'emit') {
      const data = { id: jid, presences: { [jid]: { lastKnownPresence: i % 2 ? 'composing' : 'available' } } };
      tracker.byData.set(data, hrMs());
      void gateway.bus.emit(live.eventSource, 'presence.update', data, jid).then(() => acked++);
    } else {
      const keyId = `BENCH${tag}${i}`;
      tracker.byKeyId.set(keyId, hrMs());
      const inbound = { key: { remoteJid: jid, fromMe: false, id: keyId }, pushName: 'Bench contact', message: { conversation: `bench message ${i}` }, messageTimestamp: Math.floor(Date.now() / 1000), source: 'android' };
      gateway.messages.receive(live, [inbound]).then(
        () => acked++,
        () => (acked++, failed++),
      );
    }
  };
  const baseline = receiver.first.size;
  const anonBaseline = receiver.anonymous;
  /** Events emitted (or about to be) and not yet received (arrivals of other events make it a slight underestimate). */
  const outstanding = () => {
    const perCall = opts.producer === 'emit' ? 1 : acked ? tracker.expected.size / acked : 3;
    return (calls - acked) * perCall + Math.max(0, tracker.expected.size - (receiver.first.size - baseline));
  };

  const load = loadavg()[0]!;
  const profiler = opts.profile ? new Session() : undefined;
  if (profiler) {
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
  }
  const cpu0 = process.cpuUsage();
  tracker.active = true;
  const start = hrMs();
  const deadline = start + opts.seconds * 1000;
  if (mode === 'sustained') {
    while (hrMs() < deadline) {
      const room = opts.inFlight - outstanding();
      if (room <= 0) {
        await receiver.next(5);
        continue;
      }
      for (let n = Math.min(room, 500); n > 0; n--) produce();
      await tick();
    }
  } else {
    await new Promise<void>((resolve) => {
      const total = Math.round(opts.seconds * opts.rate);
      const timer = setInterval(() => {
        // Batches of rate/100 every 10 ms; a late timer catches up so the average rate stays exact.
        const due = Math.min(total, Math.floor(((hrMs() - start) * opts.rate) / 1000));
        while (calls < due) produce();
        if (calls >= total) {
          clearInterval(timer);
          resolve();
        }
      }, 10);
    });
  }
  const stopped = hrMs();
  const producedInWindow = tracker.expected.size;
  if (profiler) {
    const { profile } = await profiler.post('Profiler.stop');
    mkdirSync(opts.profile!, { recursive: true });
    const file = join(opts.profile!, `${s.provider}-${s.pipeline}-${mode}-${Date.now()}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    profiler.disconnect();
    console.log(`  profile: ${file}`);
  }

  // Wait for every committed event to arrive; give up after 15 s without progress.
  let lastProgress = hrMs();
  let lastCount = -1;
  for (;;) {
    const arrived = receiver.first.size;
    if (calls === acked && arrived - baseline >= tracker.expected.size && countReceived(tracker, receiver) === tracker.expected.size) break;
    if (arrived !== lastCount) {
      lastCount = arrived;
      lastProgress = hrMs();
    } else if (hrMs() - lastProgress > 15_000) break;
    await receiver.next(50);
  }
  // Late duplicates: give redeliveries a moment to show up.
  await new Promise((r) => setTimeout(r, 200));
  tracker.active = false;
  unsubscribe();
  const cpu = process.cpuUsage(cpu0);

  const latencies: number[] = [];
  let inWindow = 0;
  let last = stopped;
  let duplicates = 0;
  for (const [id, emitted] of tracker.expected) {
    const at = receiver.first.get(id);
    if (at === undefined) continue;
    latencies.push(at - emitted);
    duplicates += receiver.duplicates.get(id) ?? 0;
    if (at <= stopped) inWindow++;
    if (at > last) last = at;
  }
  latencies.sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 10) / 10;
  const events = tracker.expected.size;
  const received = latencies.length;
  const wall = (hrMs() - start) / 1000;
  const workerLatency = gateway.worker?.stats.latency();
  const result: DeliveryResult = {
    scenario: mode === 'sustained' ? `sustained (≤${opts.inFlight} in flight)` : `paced ${opts.rate} ${opts.producer === 'emit' ? 'events' : 'messages'}/s`,
    pipeline: s.pipeline,
    provider: s.provider,
    producer: opts.producer,
    seconds: round((stopped - start) / 1000),
    calls,
    events,
    received,
    duplicates,
    missing: events - received,
    other: receiver.first.size - baseline - received + receiver.anonymous - anonBaseline,
    throughput: Math.round(inWindow / ((stopped - start) / 1000)),
    producedPerSecond: Math.round(producedInWindow / ((stopped - start) / 1000)),
    drainMs: Math.round(last - stopped),
    p50: round(percentile(latencies, 50)),
    p95: round(percentile(latencies, 95)),
    p99: round(percentile(latencies, 99)),
    max: round(latencies.at(-1) ?? 0),
    cpu: Math.round(((cpu.user + cpu.system) / 1000 / (wall * 1000)) * 100),
    cpuPerEvent: Math.round((cpu.user + cpu.system) / Math.max(1, received)),
    loadAverage: Math.round(load * 100) / 100,
    ...(workerLatency ? { worker: { p50: workerLatency.p50, p95: workerLatency.p95, p99: workerLatency.p99 } } : {}),
  };
  if (failed) console.error(`!!! ${failed} producer calls failed`);
  if (tracker.unstamped) console.error(`note: ${tracker.unstamped} events had no producer time; their envelope time was used`);
  if (result.missing > 0) {
    console.error(`\n!!! MISSING EVENTS: ${result.missing} of ${events} committed events never reached the receiver (${result.pipeline}, ${result.scenario}, ${result.provider}) !!!\n`);
  }
  return result;
}

function countReceived(tracker: Tracker, receiver: Receiver): number {
  let n = 0;
  for (const id of tracker.expected.keys()) if (receiver.first.has(id)) n++;
  return n;
}

async function runPipeline(opts: DeliveryOptions, pipeline: Pipeline, receiver: Receiver, dir: string): Promise<DeliveryResult[]> {
  const db = await freshDatabase(opts, dir, pipeline);
  const passthrough = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => k.startsWith('WEBHOOK_') && v !== undefined)) as Record<string, string>;
  const env: Record<string, string> = {
    ...passthrough,
    AUTHENTICATION_API_KEY: KEY,
    DATABASE_PROVIDER: db.provider,
    DATABASE_CONNECTION_URI: db.uri,
    SERVER_PORT: '0',
    SERVER_HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    SANDBOX_ACK_DELAY_MS: '0',
    WEBHOOK_DURABLE: String(pipeline === 'durable'),
  };
  const server = await startServer(loadConfig(env), createLogger('silent'));
  const results: DeliveryResult[] = [];
  try {
    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${server.url}${path}`, { method: 'POST', headers: { apikey: KEY, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    };
    const lives: LiveInstance[] = [];
    for (let i = 0; i < opts.instances; i++) {
      const name = `delivery${i}`;
      await post('/instance/create', { instanceName: name, integration: 'SANDBOX', qrcode: true });
      await post(`/sandbox/scan/${name}`, { number: `55119700${String(i).padStart(5, '0')}` });
      const live = server.gateway.registry.get(name)!;
      await server.gateway.instances.setWebhook(live, { url: `${receiver.url}/hook`, headers: null, enabled: true, events: [], webhookByEvents: false, webhookBase64: false, secret: SIGNING_SECRET });
      await server.gateway.instances.idle(live);
      lives.push(live);
    }
    const jids = Array.from({ length: opts.chats }, (_, i) => `55118${String(i).padStart(8, '0')}@s.whatsapp.net`);
    const setup: Setup = { server, lives, jids, receiver, opts, pipeline, provider: db.provider };
    for (const mode of opts.modes) {
      const r = await runScenario(setup, mode);
      console.log(`  ${pipeline.padEnd(7)} ${r.scenario.padEnd(24)} ${r.throughput} events/s  p50 ${r.p50} p95 ${r.p95} p99 ${r.p99} ms  missing ${r.missing}  dup ${r.duplicates}  ${r.cpuPerEvent} µs cpu/event  load ${r.loadAverage}`);
      results.push(r);
    }
  } finally {
    await server.stop();
    await db.drop().catch((e) => console.error(`could not drop the bench database: ${(e as Error).message}`));
  }
  return results;
}

export async function runDeliveryBench(opts: DeliveryOptions): Promise<DeliveryResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'gw-delivery-'));
  const receiver = new Receiver();
  await receiver.start();
  const results: DeliveryResult[] = [];
  try {
    for (const pipeline of opts.pipelines) results.push(...(await runPipeline(opts, pipeline, receiver, dir)));
  } finally {
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

export function printDeliveryTable(results: DeliveryResult[]): void {
  const head = ['delivery scenario', 'pipeline', 'events', 'events/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'drain ms', 'dup', 'missing', 'cpu %', 'µs cpu/ev', 'load'];
  const rows = results.map((r) => [`${r.scenario} [${r.producer}]`, r.pipeline, r.events, r.throughput, r.p50, r.p95, r.p99, r.max, r.drainMs, r.duplicates, r.missing ? `${r.missing} !!!` : 0, r.cpu, r.cpuPerEvent, r.loadAverage].map(String));
  printGrid(head, rows);
  for (const mode of ['sustained', 'paced']) {
    const pick = (pipeline: Pipeline) => results.find((r) => r.pipeline === pipeline && r.scenario.startsWith(mode));
    const d = pick('durable');
    const m = pick('memory');
    if (!d || !m || !m.throughput) continue;
    console.log(`durability cost, ${mode}: ${Math.round((1 - d.throughput / m.throughput) * 100)}% of the events/s, p50 ${(d.p50 - m.p50).toFixed(1)} ms, p99 ${(d.p99 - m.p99).toFixed(1)} ms, ${d.cpuPerEvent - m.cpuPerEvent} µs CPU per event`);
  }
  const missing = results.reduce((n, r) => n + r.missing, 0);
  if (missing) console.error(`\n!!! ${missing} EVENTS WERE NEVER DELIVERED: at-least-once delivery is broken in this run !!!`);
  else console.log(`\nevery committed event reached the receiver (${results.reduce((n, r) => n + r.duplicates, 0)} duplicates)`);
}

export function deliveryOptionsFromArgs(argv: string[]): DeliveryOptions {
  const arg = (name: string, fallback: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 && argv[i + 1] ? argv[i + 1]! : fallback;
  };
  const producer = arg('producer', 'emit');
  if (producer !== 'emit' && producer !== 'receive') throw new Error('--producer must be emit or receive');
  const only = arg('only', '');
  return {
    seconds: Number(arg('seconds', '10')),
    rate: Number(arg('rate', '1000')),
    inFlight: Number(arg('in-flight', '5000')),
    chats: Number(arg('chats', '200')),
    instances: Number(arg('instances', '1')),
    producer,
    pipelines: arg('pipelines', 'durable,memory').split(',') as Pipeline[],
    modes: only ? [only as 'sustained' | 'paced'] : ['sustained', 'paced'],
    pg: arg('pg', '') || undefined,
    mysql: arg('mysql', '') || undefined,
    profile: arg('profile', '') || undefined,
  };
}

export function machine(): string {
  return `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

export function gitCommit(): string {
  try {
    return execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return 'unknown';
  }
}

export function writeDeliveryResults(opts: DeliveryOptions, results: DeliveryResult[]): string {
  const provider = opts.pg ? 'postgresql' : opts.mysql ? 'mysql' : 'sqlite';
  mkdirSync('bench/results', { recursive: true });
  const file = join('bench/results', `${new Date().toISOString().replace(/[:.]/g, '-')}-delivery-${provider}.json`);
  const { pg: _pg, mysql: _mysql, profile: _profile, ...options } = opts;
  writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), commit: gitCommit(), provider, machine: machine(), options, results }, null, 2));
  return file;
}

async function main() {
  const opts = deliveryOptionsFromArgs(process.argv);
  console.log(`delivery benchmark: ${opts.seconds} s per scenario, producer ${opts.producer}, ${opts.instances} instance(s) x ${opts.chats} chats, database ${opts.pg ? 'postgresql' : opts.mysql ? 'mysql' : 'sqlite'}`);
  const results = await runDeliveryBench(opts);
  console.log(`\n${new Date().toISOString()}  commit ${gitCommit()}  ${machine()}\n`);
  printDeliveryTable(results);
  console.log(`\nwritten ${writeDeliveryResults(opts, results)}`);
  if (results.some((r) => r.missing > 0)) process.exitCode = 2;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
