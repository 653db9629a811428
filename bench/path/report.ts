import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { printGrid } from '../load.js';
import type { FloodResult } from './flood.js';
import type { HistoryResult } from './history.js';
import type { SendResult } from './send.js';
import { ratio, type Spread } from './stats.js';

export interface PathResults {
  date: string;
  /** Commit of the bench code, and the server under test with its commit ("+dirty" with local changes). */
  commit: string;
  server: string;
  serverCommit: string;
  machine: string;
  loadAverage: number[];
  options: Record<string, unknown>;
  flood: FloodResult[];
  send: SendResult[];
  history?: HistoryResult;
  summary?: Summary;
}

/** The headline numbers: each gateway figure with its floor (the best floor run) and the ratio. */
export interface Summary {
  flood: Array<{ instances: number; gatewayEventsPerSecond: number; relayEventsPerSecond: number; ratio: number }>;
  cpu?: { gatewayMicrosPerMessage: number; relayMicrosPerMessage: number; ratio: number; gatewayMainMicrosPerMessage: number; relayMainMicrosPerMessage: number };
  send?: {
    gatewayRequestsPerSecond: number;
    fastifyRequestsPerSecond: number;
    ratio: number;
    gatewayMicrosPerRequest: number;
    fastifyMicrosPerRequest: number;
    /** The reference: req/s of the do-nothing fan-out relay (1 request + 3 webhooks), and the target (a quarter of the floor). */
    fanoutRelayRequestsPerSecond?: number;
    targetRequestsPerSecond: number;
  };
  history?: { answerMs: number; messagesPerSecond: number; allRecordsMs: number } | 'not available';
}

const ms = (s: Spread) => `${s.p50} / ${s.p95} / ${s.p99}`;

/** The fastest floor run among `runs` (each gateway run sits between two floor runs). */
export function bestFloor<T>(runs: T[], rate: (r: T) => number): T | undefined {
  return runs.reduce<T | undefined>((best, r) => (best === undefined || rate(r) > rate(best) ? r : best), undefined);
}
const relayOf = (flood: FloodResult[], instances: number) => bestFloor(flood.filter((f) => f.target === 'relay' && f.instances === instances), (f) => f.eventsPerSecond);

export function printFlood(flood: FloodResult[]): void {
  if (!flood.length) return;
  console.log('\ninbound flood: closed-loop POST /sandbox/inbound -> messages.upsert webhook (ratio = events/s / best relay run)');
  const rows = flood.map((r) => {
    const floor = relayOf(flood, r.instances);
    return [`${r.target}, ${r.instances} inst x ${r.chats / r.instances} chats`, r.acknowledged, r.eventsPerSecond, r.target === 'gateway' && floor ? ratio(r.eventsPerSecond, floor.eventsPerSecond) : '', ms(r.post), ms(r.delivery), r.backPressure, r.errors, r.missing ? `${r.missing} !!!` : 0, r.duplicates, r.outOfOrder, `${r.cpuMicrosPerMessage} / ${r.mainCpuMicrosPerMessage}`, `${r.clientCpuPercent} / ${r.benchCpuPercent}`].map(String);
  });
  printGrid(['flood', 'acked', 'events/s', 'ratio', 'post p50/p95/p99 ms', 'answer->webhook p50/p95/p99 ms', '503', 'errors', 'missing', 'dup', 'out of order', 'µs CPU/msg all / main', 'client/bench CPU %'], rows);
}

export function printCpu(flood: FloodResult[]): void {
  const gw = flood.find((r) => r.target === 'gateway' && r.instances === 1);
  const relay = relayOf(flood, 1);
  if (!gw || !relay) return;
  console.log('\nCPU per inbound message, 1-instance flood (utime+stime of the process, all threads / main thread, / messages; relay: its best run)');
  printGrid(['process', 'µs CPU/msg', 'x relay', 'main thread µs/msg', 'x relay'], [
    ['gateway', String(gw.cpuMicrosPerMessage), String(ratio(gw.cpuMicrosPerMessage, relay.cpuMicrosPerMessage)), String(gw.mainCpuMicrosPerMessage), String(ratio(gw.mainCpuMicrosPerMessage, relay.mainCpuMicrosPerMessage))],
    ['relay', String(relay.cpuMicrosPerMessage), '1', String(relay.mainCpuMicrosPerMessage), '1'],
  ]);
}

export function printSend(send: SendResult[]): void {
  if (!send.length) return;
  console.log('\nsendText: closed-loop POST /message/sendText (ratio = req/s / best bare Fastify run; the fan-out relay is a reference: 3 webhooks forwarded per request, nothing stored)');
  const floor = bestFloor(send.filter((r) => r.target === 'bare fastify'), (r) => r.throughput);
  const rows = send.map((r) => [r.target, r.concurrency, r.requests, r.errors, r.throughput, r.target === 'gateway' && floor ? ratio(r.throughput, floor.throughput) : '', r.p50, r.p95, r.p99, r.max, r.webhooks, `${r.cpuMicrosPerRequest} / ${r.mainCpuMicrosPerRequest}`, r.clientCpuPercent].map(String));
  printGrid(['sendText', 'clients', 'requests', 'errors', 'req/s', 'ratio', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'webhooks', 'µs CPU/req all / main', 'client CPU %'], rows);
  const fanout = send.find((r) => r.target === 'fan-out relay');
  const gw = send.find((r) => r.target === 'gateway');
  if (floor && fanout && gw) {
    const target = floor.throughput / 4;
    const perRequest = gw.webhooks / Math.max(1, gw.requests);
    console.log(`  target (a quarter of the floor): ${Math.round(target)} req/s, i.e. ${Math.round(target * perRequest)} webhooks/s at the gateway's ${perRequest.toFixed(2)} per request; the do-nothing fan-out relay sustains ${fanout.throughput} req/s (${ratio(fanout.throughput, floor.throughput)} of the floor)`);
  }
}

export function printHistory(h: HistoryResult | undefined): void {
  if (!h) return;
  console.log(`\nhistory batch of ${h.messages} messages: POST /sandbox/history -> messages.set webhooks`);
  if (!h.available) {
    console.log('  not available (the route answered 404 in this build)');
    return;
  }
  printGrid(['history', 'ms to 201', 'messages/s', 'ms to all records', 'records seen', 'messages.set events'], [
    ['gateway', h.answerMs, h.messagesPerSecond, h.allRecordsMs || 'incomplete !!!', h.records, h.events].map(String),
  ]);
}

export function summarize(r: PathResults): Summary {
  const flood = r.flood.flatMap((g) => {
    const relay = g.target === 'gateway' ? relayOf(r.flood, g.instances) : undefined;
    return relay ? [{ instances: g.instances, gatewayEventsPerSecond: g.eventsPerSecond, relayEventsPerSecond: relay.eventsPerSecond, ratio: ratio(g.eventsPerSecond, relay.eventsPerSecond) }] : [];
  });
  const gw1 = r.flood.find((g) => g.target === 'gateway' && g.instances === 1);
  const relay1 = relayOf(r.flood, 1);
  const cpu = gw1 && relay1 ? { gatewayMicrosPerMessage: gw1.cpuMicrosPerMessage, relayMicrosPerMessage: relay1.cpuMicrosPerMessage, ratio: ratio(gw1.cpuMicrosPerMessage, relay1.cpuMicrosPerMessage), gatewayMainMicrosPerMessage: gw1.mainCpuMicrosPerMessage, relayMainMicrosPerMessage: relay1.mainCpuMicrosPerMessage } : undefined;
  const gwSend = r.send.find((s) => s.target === 'gateway');
  const fastify = bestFloor(r.send.filter((s) => s.target === 'bare fastify'), (s) => s.throughput);
  const fanout = r.send.find((s) => s.target === 'fan-out relay');
  const send = gwSend && fastify ? { gatewayRequestsPerSecond: gwSend.throughput, fastifyRequestsPerSecond: fastify.throughput, ratio: ratio(gwSend.throughput, fastify.throughput), gatewayMicrosPerRequest: gwSend.cpuMicrosPerRequest, fastifyMicrosPerRequest: fastify.cpuMicrosPerRequest, fanoutRelayRequestsPerSecond: fanout?.throughput, targetRequestsPerSecond: Math.round(fastify.throughput / 4) } : undefined;
  const h = r.history;
  const history = h ? (h.available ? { answerMs: h.answerMs, messagesPerSecond: h.messagesPerSecond, allRecordsMs: h.allRecordsMs } : ('not available' as const)) : undefined;
  return { flood, cpu, send, history };
}

export function printPath(r: PathResults): void {
  console.log(`\n${r.date}  bench ${r.commit}  server ${r.server} (${r.serverCommit})  ${r.machine}  load ${r.loadAverage.join(' ')}`);
  printFlood(r.flood);
  printCpu(r.flood);
  printSend(r.send);
  printHistory(r.history);
}

export function writePathResults(r: PathResults): string {
  mkdirSync('bench/results', { recursive: true });
  const file = join('bench/results', `${r.date.replace(/[:.]/g, '-')}-path.json`);
  writeFileSync(file, JSON.stringify(r, null, 2));
  return file;
}
