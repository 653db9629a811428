/**
 * Load benchmarks against a real server started in this process on SQLite (or PostgreSQL with --pg <uri>, MySQL with --mysql <uri>).
 *   npm run bench                      # default: 10 s per scenario
 *   npm run bench -- --seconds 5 --concurrency 16 --messages 100000
 * Prints a table and writes JSON to bench/results/; then runs the webhook delivery benchmark (bench/delivery.ts, which
 * takes its own options from the same command line, e.g. --rate, --in-flight, --producer; alone: npm run bench:delivery).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { execSync } from 'node:child_process';
import { loadConfig } from '../src/config.js';
import { createLogger, startServer } from '../src/server.js';
import { rowId } from '../src/domain/ids.js';
import type { StoredMessage } from '../src/domain/types.js';
import { printTable, runLoad, type LoadResult } from './load.js';
import { deliveryOptionsFromArgs, printDeliveryTable, runDeliveryBench, writeDeliveryResults } from './delivery.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const seconds = Number(arg('seconds', '10'));
const concurrency = Number(arg('concurrency', '16'));
const messageCount = Number(arg('messages', '100000'));
const pg = arg('pg', '');
const mysql = arg('mysql', '');
const KEY = 'bench-global-key-0123456789';

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'gw-bench-'));
  const provider = pg ? 'postgresql' : mysql ? 'mysql' : 'sqlite';
  const env = {
    AUTHENTICATION_API_KEY: KEY,
    DATABASE_PROVIDER: provider,
    DATABASE_CONNECTION_URI: pg || mysql || join(dir, 'bench.db'),
    SERVER_PORT: '0',
    SERVER_HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    SANDBOX_ACK_DELAY_MS: '0',
  };
  const config = loadConfig(env);
  const server = await startServer(config, createLogger('silent'));
  const headers = { apikey: KEY };
  const post = (path: string, body: unknown) => fetch(`${server.url}${path}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const name = `bench${Date.now()}`;
  await post('/instance/create', { instanceName: name, integration: 'SANDBOX', qrcode: true });
  await post(`/sandbox/scan/${name}`, { number: '5511900009999' });

  const results: LoadResult[] = [];
  results.push(
    await runLoad({ name: 'sendText', url: server.url, concurrency, durationMs: seconds * 1000, headers, expectStatus: 201, request: (i) => ({ method: 'POST', path: `/message/sendText/${name}`, body: { number: `55119${String(i % 1000).padStart(8, '0')}`, text: `bench message ${i}` } }) }),
  );

  // Seed the message table so findMessages reads from a realistic volume.
  const live = server.gateway.registry.get(name)!;
  const t0 = performance.now();
  const batch = 500;
  const now = Math.floor(Date.now() / 1000);
  for (let i = 0; i < messageCount; i += batch) {
    const rows: StoredMessage[] = [];
    for (let j = i; j < Math.min(i + batch, messageCount); j++) {
      const remoteJid = `55118${String(j % 500).padStart(8, '0')}@s.whatsapp.net`;
      rows.push({ id: rowId(), key: { remoteJid, fromMe: j % 2 === 0, id: `BENCH${j}` }, pushName: 'Bench', messageType: 'conversation', message: { conversation: `seeded ${j}` }, contextInfo: null, source: 'android', messageTimestamp: now - (messageCount - j), instanceId: live.id, status: 'DELIVERY_ACK' });
    }
    await server.gateway.repos.messages.insert(rows);
  }
  const seedSeconds = (performance.now() - t0) / 1000;
  console.log(`seeded ${messageCount} messages in ${seedSeconds.toFixed(1)} s (${Math.round(messageCount / seedSeconds)} rows/s)`);

  results.push(await runLoad({ name: `findMessages (${messageCount} rows, page 1)`, url: server.url, concurrency, durationMs: seconds * 1000, headers, expectStatus: 200, request: () => ({ method: 'POST', path: `/chat/findMessages/${name}`, body: {} }) }));
  results.push(
    await runLoad({ name: 'findMessages (one chat)', url: server.url, concurrency, durationMs: seconds * 1000, headers, expectStatus: 200, request: (i) => ({ method: 'POST', path: `/chat/findMessages/${name}`, body: { where: { key: { remoteJid: `55118${String(i % 500).padStart(8, '0')}` } } } }) }),
  );
  results.push(await runLoad({ name: 'connectionState', url: server.url, concurrency, durationMs: seconds * 1000, headers, expectStatus: 200, request: () => ({ method: 'GET', path: `/instance/connectionState/${name}` }) }));

  await server.stop();
  rmSync(dir, { recursive: true, force: true });

  let commit = 'unknown';
  try {
    commit = execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    /* not a checkout */
  }
  const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  console.log(`\n${new Date().toISOString()}  commit ${commit}  database ${provider}  ${machine}\n`);
  printTable(results);
  mkdirSync('bench/results', { recursive: true });
  const file = join('bench/results', `${new Date().toISOString().replace(/[:.]/g, '-')}-${provider}.json`);
  writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), commit, provider, machine, seconds, concurrency, messageCount, results }, null, 2));
  console.log(`\nwritten ${file}`);

  // Webhook delivery after the API scenarios: durable outbox and in-memory, each on a fresh database (bench/delivery.ts).
  const deliveryOptions = deliveryOptionsFromArgs(process.argv);
  console.log(`\nwebhook delivery: ${deliveryOptions.seconds} s per scenario, producer ${deliveryOptions.producer}, ${deliveryOptions.instances} instance(s) x ${deliveryOptions.chats} chats`);
  const delivery = await runDeliveryBench(deliveryOptions);
  console.log('');
  printDeliveryTable(delivery);
  console.log(`\nwritten ${writeDeliveryResults(deliveryOptions, delivery)}`);
  if (delivery.some((r) => r.missing > 0)) process.exitCode = 2;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
