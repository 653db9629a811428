/**
 * The Cloud API's per-number send queue (WA_BUSINESS_RATE_LIMIT, 80 messages/s by default), measured against the
 * built gateway in its own process and a local Graph API (sim/graph) in this one. `clients` closed loops of
 * POST /message/sendText per number; the Graph side timestamps every message it receives, per phone number.
 * Reported per run: Graph-side throughput per number, the most messages any number got in one sliding second, and the
 * client's send latency. Runs: one number at the default limit, two numbers at once (independent queues), and the
 * floor/ceiling: the same load with the limit lifted (10 000/s), i.e. what this machine does without the queue.
 * Env: META_BENCH_MESSAGES (per number, default 800), META_BENCH_CLIENTS (default 32).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_SECRET, FakeGraph, VERSION, type PhoneNumber } from '../../sim/graph/fakeGraph.js';
import { startServerProcess, BENCH_KEY } from '../suite/process.js';
import { hrMs } from '../path/receiver.js';
import { spread, type Spread } from '../path/stats.js';
import { GraphClient } from '../../src/channels/meta/graph.js';
import { RateLimiter } from '../../src/channels/meta/rateLimit.js';

const MESSAGES = Number(process.env.META_BENCH_MESSAGES ?? 800);
const CLIENTS = Number(process.env.META_BENCH_CLIENTS ?? 32);

interface Run {
  scenario: string;
  limit: number;
  numbers: number;
  sent: number;
  failed: number;
  /** Messages per second Graph received, per number (first to last arrival). */
  perNumberPerSecond: number[];
  /** The most messages one number got within any 1 000 ms window. */
  maxInOneSecond: number;
  latencyMs: Spread;
}

function maxInWindow(times: number[], windowMs = 1000): number {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; j < t.length; j++) {
    while (t[j]! - t[i]! >= windowMs) i++;
    best = Math.max(best, j - i + 1);
  }
  return best;
}


/** `CLIENTS` closed loops per number, each sending one message at a time until `MESSAGES` per number are sent. */
async function loops(phones: PhoneNumber[], sendOne: (phone: PhoneNumber, n: number, i: number) => Promise<boolean>): Promise<{ latencies: number[]; failed: number }> {
  const latencies: number[] = [];
  let failed = 0;
  await Promise.all(
    phones.map(async (phone, n) => {
      let next = 0;
      await Promise.all(
        Array.from({ length: CLIENTS }, async () => {
          while (next < MESSAGES) {
            const i = next++;
            const t = hrMs();
            if (!(await sendOne(phone, n, i))) failed++;
            latencies.push(hrMs() - t);
          }
        }),
      );
    }),
  );
  return { latencies, failed };
}

/** What Graph saw per number, and the client's latencies. */
function summary(scenario: string, limit: number, graph: FakeGraph, phones: PhoneNumber[], result: { latencies: number[]; failed: number }): Run {
  const perNumber = phones.map((p) => graph.sent(p.id).map((r) => r.at));
  return {
    scenario,
    limit,
    numbers: phones.length,
    sent: perNumber.reduce((a, t) => a + t.length, 0),
    failed: result.failed,
    perNumberPerSecond: perNumber.map((t) => (t.length > 1 ? Math.round(((t.length - 1) / (Math.max(...t) - Math.min(...t))) * 1000 * 10) / 10 : 0)),
    maxInOneSecond: Math.max(...perNumber.map((t) => maxInWindow(t))),
    latencyMs: spread(result.latencies),
  };
}

async function run(scenario: string, limit: number, numbers: number): Promise<Run> {
  const graph = await new FakeGraph().start();
  graph.autoStatuses = [];
  const dir = mkdtempSync(join(tmpdir(), 'gw-meta-bench-'));
  const server = await startServerProcess({ DATABASE_PROVIDER: 'sqlite', DATABASE_CONNECTION_URI: join(dir, 'gateway.db'), WA_BUSINESS_URL: graph.url, WA_BUSINESS_VERSION: VERSION, WA_BUSINESS_APP_SECRET: APP_SECRET, WA_BUSINESS_RATE_LIMIT: String(limit) });
  try {
    const phones: PhoneNumber[] = [];
    for (let n = 0; n < numbers; n++) {
      const phone = graph.addPhone({ id: `10955500${n}000`, display: `1555000${n}000` });
      phones.push(phone);
      const res = await fetch(`${server.url}/instance/create`, { method: 'POST', headers: { apikey: BENCH_KEY, 'content-type': 'application/json' }, body: JSON.stringify({ instanceName: `bench-${n}`, integration: 'WHATSAPP-BUSINESS', token: phone.token, number: phone.id, businessId: phone.businessId }) });
      if (res.status !== 201) throw new Error(`create: ${res.status} ${await res.text()}`);
    }
    const result = await loops(phones, async (phone, n, i) => {
      const res = await fetch(`${server.url}/message/sendText/bench-${n}`, { method: 'POST', headers: { apikey: phone.token, 'content-type': 'application/json' }, body: JSON.stringify({ number: `55119${String(i % 500).padStart(8, '0')}`, text: `bench ${i}` }) });
      await res.arrayBuffer();
      return res.status === 201;
    });
    return summary(scenario, limit, graph, phones, result);
  } finally {
    await server.stop();
    await graph.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The queue alone: the channel's Graph client and limiter in this process, no gateway, so machine load matters less. */
async function runQueue(scenario: string, limit: number, numbers: number): Promise<Run> {
  const graph = await new FakeGraph().start();
  graph.autoStatuses = [];
  const client = new GraphClient({ baseUrl: `${graph.url}/${VERSION}`, timeoutMs: 20_000, maxAttempts: 1, limiter: new RateLimiter(limit) });
  const phones = Array.from({ length: numbers }, (_, n) => graph.addPhone({ id: `10966600${n}000`, display: `1666000${n}000` }));
  try {
    const body = (i: number) => ({ messaging_product: 'whatsapp', to: '5511988887777', type: 'text', text: { body: `q ${i}` } });
    const result = await loops(phones, (phone, _n, i) => client.json(phone.token, 'POST', `/${phone.id}/messages`, body(i), { queue: phone.id }).then(() => true, () => false));
    return summary(scenario, limit, graph, phones, result);
  } finally {
    await client.close();
    await graph.stop();
  }
}

const runs: Run[] = [];
runs.push(await runQueue('queue alone: one number, default limit', 80, 1));
runs.push(await runQueue('queue alone: two numbers at once', 80, 2));
runs.push(await runQueue('queue alone, floor: limit lifted', 10_000, 1));
runs.push(await run('one number, default limit', 80, 1));
runs.push(await run('two numbers at once, default limit', 80, 2));
runs.push(await run('floor: limit lifted (what the machine does without the queue)', 10_000, 1));

console.log(`\nCloud API send queue: ${MESSAGES} messages per number, ${CLIENTS} clients per number\n`);
console.log('| scenario | limit/s | numbers | sent | failed | per number msg/s | max in 1 s | p50 / p95 / p99 ms |');
console.log('|---|---|---|---|---|---|---|---|');
for (const r of runs) console.log(`| ${r.scenario} | ${r.limit} | ${r.numbers} | ${r.sent} | ${r.failed} | ${r.perNumberPerSecond.join(', ')} | ${r.maxInOneSecond} | ${r.latencyMs.p50} / ${r.latencyMs.p95} / ${r.latencyMs.p99} |`);
