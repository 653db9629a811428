/**
 * npm run bench — the whole benchmark suite against servers it starts (SQLite; PostgreSQL with --pg <admin uri>):
 * hot API routes at 1/16/128 clients, create->QR and scan->open (50 at once), memory per idle/connected instance and
 * start-up time at 100 and 1,000 instances, webhook delivery (sustained and 1,000/s, durable vs in-memory) and the
 * seed 003 load tests (100 concurrent sends, 50 simultaneous scans, a 1,000 events/s flood held 60 s).
 * Prints tables, writes JSON to bench/results/. Options: --seconds N (5), --messages N (100000), --flood-seconds N (60),
 * --capacities 100,1000, --concurrencies 1,16,128, --pg postgres://postgres@127.0.0.1:5432/postgres.
 * The delivery benchmark alone, with all its options: npm run bench:delivery.
 */
import { runSuite } from './suite/index.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const list = (v: string) => v.split(',').map(Number).filter((n) => n > 0);

runSuite({
  seconds: Number(arg('seconds', '5')),
  messages: Number(arg('messages', '100000')),
  floodSeconds: Number(arg('flood-seconds', '60')),
  capacities: list(arg('capacities', '100,1000')),
  concurrencies: list(arg('concurrencies', '1,16,128')),
  pg: arg('pg', '') || undefined,
}).catch((e) => {
  console.error(e);
  process.exit(1);
});
