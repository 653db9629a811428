import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { printGrid, printTable } from '../load.js';
import { freshDatabase, gitCommit, machine, printDeliveryTable, runDeliveryBench, type DeliveryResult } from '../delivery.js';
import { apiSuite } from './api.js';
import { capacity, type CapacityResult } from './capacity.js';
import { PATH_DEFAULTS, runPathBench } from '../path/index.js';
import { printPath } from '../path/report.js';

export interface SuiteOptions {
  seconds: number;
  messages: number;
  concurrencies: number[];
  capacities: number[];
  floodSeconds: number;
  /** Admin URI of a PostgreSQL server: every part then runs on fresh databases there instead of SQLite. */
  pg?: string;
}

/** The whole benchmark suite of `npm run bench` (issue 5): API, lifecycle, capacity, delivery, seed 003 load tests. */
export async function runSuite(o: SuiteOptions): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'gw-suite-'));
  const started = Date.now();
  try {
    console.log(`API: ${o.concurrencies.join('/')} clients, ${o.seconds} s each, findMessages over ${o.messages} rows`);
    const apiDb = await freshDatabase({ pg: o.pg }, dir, 'api');
    const apiResult = await apiSuite({ db: apiDb, seconds: o.seconds, concurrencies: o.concurrencies, messages: o.messages }).finally(() => apiDb.drop());
    printTable(apiResult.load);
    console.log('');
    printGrid(['timing', 'count', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'total ms'], apiResult.timings.map((t) => [t.name, t.count, t.p50, t.p95, t.p99, t.max, t.totalMs].map(String)));

    const capacities: CapacityResult[] = [];
    for (const n of o.capacities) {
      console.log(`\ncapacity: ${n} sandbox instances`);
      const db = await freshDatabase({ pg: o.pg }, dir, `cap${n}`);
      capacities.push(await capacity(n, db).finally(() => db.drop()));
    }
    printGrid(['instances', 'baseline RSS MB', 'KB/idle instance', 'KB/connected instance', 'start-up ms (empty)', 'start-up ms (with instances)'], capacities.map((c) => [c.instances, c.baselineRssMb, c.idleKbPerInstance, c.connectedKbPerInstance, c.startupMsEmpty, c.startupMsWithInstances].map(String)));

    console.log(`\nwebhook delivery: sustained and 1,000 events/s, durable vs in-memory, ${o.seconds} s each`);
    const base = { rate: 1000, inFlight: 5000, chats: 200, instances: 1, pg: o.pg, modes: ['sustained', 'paced'] as Array<'sustained' | 'paced'> };
    const delivery: DeliveryResult[] = await runDeliveryBench({ ...base, seconds: Math.max(o.seconds, 10), producer: 'emit', pipelines: ['durable', 'memory'] });
    // Each inbound message commits about two webhook events (messages.upsert, chats.update): 500 messages/s ≈ 1,000 events/s.
    console.log(`\nseed 003 webhook flood: 500 inbound messages/s (≈1,000 events/s) held ${o.floodSeconds} s (inbound -> webhook receipt)`);
    const flood = await runDeliveryBench({ ...base, rate: 500, seconds: o.floodSeconds, producer: 'receive', pipelines: ['durable'], modes: ['paced'] });
    printDeliveryTable([...delivery, ...flood]);

    // User path (issue 8), modest: 5,000 flood messages, sendText for --seconds; the full run is npm run bench:path.
    console.log(`\nuser path: inbound flood of 5,000 messages (1 and 16 instances) vs a relay, sendText ${o.seconds} s vs bare Fastify, history batch`);
    const path = await runPathBench({ ...PATH_DEFAULTS, messages: 5000, seconds: o.seconds, pg: o.pg });
    printPath(path);

    const totalSeconds = Math.round((Date.now() - started) / 1000);
    const summary = { date: new Date().toISOString(), commit: gitCommit(), machine: machine(), provider: o.pg ? 'postgresql' : 'sqlite', totalSeconds, options: { ...o, pg: o.pg ? 'set' : undefined }, api: apiResult, capacities, delivery, flood, path };
    mkdirSync('bench/results', { recursive: true });
    const file = join('bench/results', `${summary.date.replace(/[:.]/g, '-')}-suite.json`);
    writeFileSync(file, JSON.stringify(summary, null, 2));
    console.log(`\n${summary.date}  commit ${summary.commit}  ${summary.machine}  suite took ${totalSeconds} s\nwritten ${file}`);
    if ([...delivery, ...flood, ...path.flood].some((r) => r.missing > 0)) process.exitCode = 2;
    return file;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
