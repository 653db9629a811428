/**
 * npm run bench:path — the path a user sees, end to end over HTTP, each scenario next to its floor measured in the
 * same run (issue 8). The gateway runs as its own process from a built dist/src/main.js on a fresh SQLite file (or
 * PostgreSQL with --pg); the floors are their own processes too; the load client runs here and the webhook receiver
 * in a worker thread here.
 * Each gateway run sits between two runs of its floor; ratios are to the better floor run.
 *   flood    64 closed-loop chats posting /sandbox/inbound, 1 instance and 16 instances x 4 chats; floor: relay.ts
 *   cpu      µs CPU of the gateway / relay process per inbound message, from the 1-instance flood
 *   send     16 closed-loop clients on /message/sendText for --seconds; floor: bareFastify.ts; reference: relay.ts's
 *            fan-out route (3 webhooks per request, answered once forwarded), the ceiling of any server doing that here
 *   history  one POST /sandbox/history of --history messages -> messages.set webhooks ("not available" on a 404)
 * Options: --messages N (20000), --chats N (64), --instances 1,16, --seconds N (10), --clients N (16),
 * --history N (10000), --server PATH (dist/src/main.js), --only flood|send|history|cpu, --relay-connections N (8),
 * --pg postgres://..., --profile DIR (gateway under --cpu-prof), --node-args "..." (node options of the gateway). WEBHOOK_* and SANDBOX_* variables are passed to the gateway.
 * Prints tables and writes JSON to bench/results/.
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gitCommit, machine } from '../delivery.js';
import { runFlood, type FloodResult } from './flood.js';
import { runHistory, type HistoryResult } from './history.js';
import { DEFAULT_SERVER, startBareFastify, startGateway, startRelay, type Child } from './processes.js';
import { Receiver } from './receiver.js';
import { printPath, summarize, writePathResults, type PathResults } from './report.js';
import { answerBytes, runSend, type SendResult } from './send.js';
import { connectedSandbox, instanceNumber } from './setup.js';

export type Part = 'flood' | 'send' | 'history' | 'cpu';

export interface PathOptions {
  messages: number;
  chats: number;
  /** Instance counts of the flood (the chats are spread over them). */
  instances: number[];
  seconds: number;
  clients: number;
  history: number;
  server: string;
  only?: Part;
  relayConnections: number;
  pg?: string;
  /** Directory for the gateway's CPU profiles (`--cpu-prof`), one run of each scenario per profile set. */
  profile?: string;
  /** Node options for the gateway process (`--node-args "--max-semi-space-size=32"`). */
  nodeArgs?: string[];
}

export const PATH_DEFAULTS: PathOptions = { messages: 20_000, chats: 64, instances: [1, 16], seconds: 10, clients: 16, history: 10_000, server: DEFAULT_SERVER, relayConnections: 8 };

async function using<T>(start: Promise<Child>, fn: (child: Child) => Promise<T>): Promise<T> {
  const child = await start;
  try {
    return await fn(child);
  } finally {
    await child.stop();
  }
}

/** Each gateway scenario runs between two runs of its floor (a burst of other load on the machine hits one of them). */
async function floods(o: PathOptions, receiver: Receiver): Promise<FloodResult[]> {
  // Warm-up of this process's client and receiver (JIT), not recorded: the first relay run was ~30% slower without it.
  await using(startRelay(receiver.url, o.relayConnections), (child) => runFlood({ target: 'relay', child, receiver, instances: ['warmup'], chats: o.chats, messages: 4000 }));
  const results: FloodResult[] = [];
  for (const k of o.only === 'cpu' ? [1] : o.instances) {
    const names = (prefix: string) => Array.from({ length: k }, (_, i) => `${prefix}${k}-${i}`);
    const spec = { receiver, chats: o.chats, messages: o.messages };
    const relay = () => using(startRelay(receiver.url, o.relayConnections), (child) => runFlood({ ...spec, target: 'relay', child, instances: names('relay') }));
    const gateway = () =>
      using(startGateway(o.server, o.pg, o.profile, o.nodeArgs), async (child) => {
        const instances = names('flood');
        for (const [i, name] of instances.entries()) await connectedSandbox(child.url, name, instanceNumber(i), receiver.url, ['MESSAGES_UPSERT']);
        return runFlood({ ...spec, target: 'gateway', child, instances });
      });
    const run = [await relay(), await gateway(), await relay()];
    console.log(`  flood, ${k} instance(s): gateway ${run[1]!.eventsPerSecond} events/s, relay ${run[0]!.eventsPerSecond} / ${run[2]!.eventsPerSecond} events/s`);
    results.push(...run);
  }
  return results;
}

/** The gateway stays up (idle) during the first floor run, to measure its answer size first; it is gone for the second. */
async function sends(o: PathOptions, receiver: Receiver): Promise<SendResult[]> {
  const gateway = await startGateway(o.server, o.pg, o.profile, o.nodeArgs);
  let bytes = 0;
  const floor = () => using(startBareFastify(bytes), (child) => runSend('bare fastify', child, 'send', o.clients, o.seconds, receiver));
  const run: SendResult[] = [];
  try {
    await connectedSandbox(gateway.url, 'send', instanceNumber(0), receiver.url, []);
    bytes = await answerBytes(gateway.url, 'send');
    run.push(await floor(), await runSend('gateway', gateway, 'send', o.clients, o.seconds, receiver));
  } finally {
    await gateway.stop();
  }
  run.push(await floor());
  // Reference, not a floor: the most sendText-shaped requests/s that one process forwarding 3 webhooks each sustains.
  run.push(await using(startRelay(receiver.url, o.relayConnections, bytes), (child) => runSend('fan-out relay', child, 'send', o.clients, o.seconds, receiver)));
  console.log(`  sendText: gateway ${run[1]!.throughput} req/s, bare Fastify ${run[0]!.throughput} / ${run[2]!.throughput} req/s (answer ${bytes} bytes); fan-out relay (3 webhooks per request) ${run[3]!.throughput} req/s`);
  return run;
}

function history(o: PathOptions, receiver: Receiver): Promise<HistoryResult> {
  return using(startGateway(o.server, o.pg, o.profile, o.nodeArgs), async (child) => {
    await connectedSandbox(child.url, 'history', instanceNumber(0), receiver.url, ['MESSAGES_SET']);
    return runHistory(child, 'history', o.history, receiver);
  });
}

function commitOf(server: string): string {
  const git = (...args: string[]) => execFileSync('git', ['-C', dirname(server), ...args], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  try {
    return `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--untracked-files=no') ? '+dirty' : ''}`;
  } catch {
    return 'unknown';
  }
}

export async function runPathBench(o: PathOptions): Promise<PathResults> {
  const date = new Date().toISOString();
  const load = loadavg().map((n) => Math.round(n * 100) / 100);
  const receiver = new Receiver();
  await receiver.start();
  const wants = (part: Part) => !o.only || o.only === part;
  try {
    const flood = wants('flood') || wants('cpu') ? await floods(o, receiver) : [];
    const send = wants('send') ? await sends(o, receiver) : [];
    const hist = wants('history') ? await history(o, receiver) : undefined;
    const { pg, ...options } = o;
    const results: PathResults = { date, commit: gitCommit(), server: o.server, serverCommit: commitOf(o.server), machine: machine(), loadAverage: load, options: { ...options, pg: pg ? 'set' : undefined }, flood, send, history: hist };
    return { ...results, summary: summarize(results) };
  } finally {
    await receiver.close();
  }
}

export function pathOptionsFromArgs(argv: string[]): PathOptions {
  const arg = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const num = (name: string, fallback: number) => Number(arg(name) ?? fallback);
  const only = arg('only');
  if (only !== undefined && !['flood', 'send', 'history', 'cpu'].includes(only)) throw new Error('--only must be flood, send, history or cpu');
  return {
    messages: num('messages', PATH_DEFAULTS.messages),
    chats: num('chats', PATH_DEFAULTS.chats),
    instances: arg('instances')?.split(',').map(Number).filter((n) => n > 0) ?? PATH_DEFAULTS.instances,
    seconds: num('seconds', PATH_DEFAULTS.seconds),
    clients: num('clients', PATH_DEFAULTS.clients),
    history: num('history', PATH_DEFAULTS.history),
    server: resolve(arg('server') ?? PATH_DEFAULTS.server),
    only: only as Part | undefined,
    relayConnections: num('relay-connections', PATH_DEFAULTS.relayConnections),
    pg: arg('pg'),
    profile: arg('profile') ? resolve(arg('profile')!) : undefined,
    nodeArgs: arg('node-args')?.split(' ').filter(Boolean),
  };
}

async function main(): Promise<void> {
  const o = pathOptionsFromArgs(process.argv);
  console.log(`user path benchmark: server ${o.server}, flood ${o.messages} messages over ${o.chats} chats (${o.instances.join(', ')} instances), sendText ${o.clients} clients x ${o.seconds} s, history ${o.history}`);
  const results = await runPathBench(o);
  printPath(results);
  console.log(`\nwritten ${writePathResults(results)}`);
  if (results.flood.some((r) => r.missing > 0)) process.exitCode = 2;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
