/**
 * npm run bench:chatbots — the chatbot path end to end: a contact writes (POST /sandbox/inbound), the engine hands
 * the turn to an Evolution Bot endpoint (a local HTTP server answering at once), the answer is sent and its
 * send.message webhook arrives. Measured against its floor in the same run: the same inbound message to its
 * messages.upsert webhook with no bot. The gateway is its own process (built dist/src/main.js, fresh SQLite);
 * the load client, the bot endpoint and the webhook receiver run here.
 * Options: --chats N (32 closed-loop chats), --messages N (2000 per scenario).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_SERVER, startGateway, type Child } from '../path/processes.js';
import { api } from '../suite/process.js';
import { perSecond, ratio, spread, type Spread } from '../path/stats.js';
import { gitCommit, machine } from '../delivery.js';
import { loadavg } from 'node:os';

interface Waiter {
  resolve: () => void;
}

/** The webhook receiver: resolves whoever waits for the next event of (event, chat). */
class Hooks {
  private server!: Server;
  private readonly waiting = new Map<string, Waiter[]>();
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        res.writeHead(200).end();
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { event: string; data: { key?: { remoteJid?: string } } };
          const key = `${body.event}|${body.data?.key?.remoteJid ?? ''}`;
          this.waiting.get(key)?.shift()?.resolve();
        } catch {
          /* not an event */
        }
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  next(event: string, remoteJid: string): Promise<void> {
    return new Promise((resolve) => {
      const key = `${event}|${remoteJid}`;
      this.waiting.set(key, [...(this.waiting.get(key) ?? []), { resolve }]);
    });
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

/** An Evolution Bot endpoint that answers every turn at once. */
async function botEndpoint(): Promise<{ url: string; stop(): Promise<void>; calls: () => number }> {
  let calls = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      calls += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'Thanks, noted.' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/bot`, calls: () => calls, stop: () => new Promise((r) => server.close(() => r())) };
}

interface Result {
  scenario: string;
  messages: number;
  perSecond: number;
  latencyMs: Spread;
}

/** `chats` contacts each writing, waiting for `event` in their chat, and writing again, until `messages` are done. */
async function closedLoop(gw: Child, hooks: Hooks, instance: string, event: string, chats: number, messages: number, scenario: string, firstContact: number): Promise<Result> {
  const latencies: number[] = [];
  let sent = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: chats }, async (_, c) => {
      const from = String(firstContact + c);
      const jid = `${from}@s.whatsapp.net`;
      while (sent < messages) {
        sent += 1;
        const t0 = performance.now();
        const seen = hooks.next(event, jid);
        const res = await api(gw.url, 'POST', `/sandbox/inbound/${instance}`, { from, text: `hello ${sent}` });
        if (res.status !== 201) throw new Error(`inbound: ${res.status} ${JSON.stringify(res.body)}`);
        await seen;
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return { scenario, messages: latencies.length, perSecond: perSecond(latencies.length, Date.now() - started), latencyMs: spread(latencies) };
}

async function main(): Promise<void> {
  const arg = (name: string, fallback: number) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? Number(process.argv[i + 1]) : fallback;
  };
  const chats = arg('chats', 32);
  const messages = arg('messages', 2000);
  const hooks = new Hooks();
  await hooks.start();
  const bot = await botEndpoint();
  const gw = await startGateway(DEFAULT_SERVER);
  try {
    const must = async (method: string, path: string, body: unknown, status: number) => {
      const res = await api(gw.url, method, path, body);
      if (res.status !== status) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    };
    for (const [name, number] of [['floor', '5511900000101'], ['bots', '5511900000102']] as const) {
      await must('POST', '/instance/create', { instanceName: name, integration: 'SANDBOX', qrcode: true, webhook: { url: hooks.url, events: ['MESSAGES_UPSERT', 'SEND_MESSAGE'] } }, 201);
      await must('POST', `/sandbox/scan/${name}`, { number }, 200);
    }
    await must('POST', '/evolutionBot/create/bots', { enabled: true, apiUrl: bot.url, triggerType: 'all', debounceTime: 0, delayMessage: 0, expire: 0, keywordFinish: '#stop', unknownMessage: '', listeningFromMe: false, stopBotFromMe: false, keepOpen: false }, 201);
    // Warm-up (JIT, connections), not recorded.
    await closedLoop(gw, hooks, 'floor', 'messages.upsert', chats, 300, 'warm-up', 5511970000000);
    await closedLoop(gw, hooks, 'bots', 'send.message', chats, 300, 'warm-up', 5511971000000);
    const floorBefore = await closedLoop(gw, hooks, 'floor', 'messages.upsert', chats, messages, 'inbound -> messages.upsert webhook (floor, no bot)', 5511972000000);
    const withBot = await closedLoop(gw, hooks, 'bots', 'send.message', chats, messages, 'inbound -> bot turn -> answer send.message webhook', 5511973000000);
    const floorAfter = await closedLoop(gw, hooks, 'floor', 'messages.upsert', chats, messages, 'inbound -> messages.upsert webhook (floor, again)', 5511974000000);
    const floor = floorBefore.perSecond >= floorAfter.perSecond ? floorBefore : floorAfter;
    console.log(`chatbot path — ${machine()}, commit ${gitCommit()}, ${chats} closed-loop chats, ${messages} messages per scenario, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    for (const r of [floorBefore, withBot, floorAfter]) console.log(`${r.scenario.padEnd(56)} ${String(r.perSecond).padStart(6)}/s  p50 ${r.latencyMs.p50} ms  p95 ${r.latencyMs.p95} ms  p99 ${r.latencyMs.p99} ms`);
    console.log(`bot answers per second / floor inbound per second: ${ratio(withBot.perSecond, floor.perSecond)}; bot endpoint calls: ${bot.calls()}`);
  } finally {
    await gw.stop();
    await bot.stop();
    await hooks.stop();
  }
}

await main();
