import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSimulator, type Simulator } from '../../sim/waweb/index.js';
import { messagingOf } from '../../sim/waweb/contacts.js';
import { linkByQr, tempAuthDir } from '../../sim/waweb/client.js';
import { spread, type Spread } from '../path/stats.js';
import { startGateway } from './gateway.js';

export interface InboundResult {
  path: 'gateway' | 'library';
  messages: number;
  eventsPerSecond: number;
  latencyMs: Spread;
  cpuMicrosPerMessage: number;
}

const ME = '15550001111';

/** `contacts` contacts write `perContact` texts each, at once, to one linked account; arrivals are timed per message id. */
async function flood(sim: Simulator, contacts: number, perContact: number, arrived: Map<string, number>): Promise<{ sentAt: Map<string, number>; ms: number; cpu: number }> {
  const messaging = messagingOf(sim);
  const people = Array.from({ length: contacts }, (_, i) => messaging.contact(`1555300${String(i).padStart(4, '0')}`, `Bench ${i}`));
  // One message each first: sessions are set up (pkmsg) before the clock starts.
  for (const c of people) await c.sendText(`${ME}@s.whatsapp.net`, 'warm-up');
  await until(() => arrived.size >= contacts, 30_000);
  arrived.clear();
  const sentAt = new Map<string, number>();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    people.map(async (c) => {
      for (let i = 0; i < perContact; i++) {
        const at = performance.now();
        sentAt.set(await c.sendText(`${ME}@s.whatsapp.net`, `bench ${i}`), at);
      }
    }),
  );
  await until(() => arrived.size >= contacts * perContact, 120_000);
  const ms = performance.now() - t0;
  const used = process.cpuUsage(cpu0);
  return { sentAt, ms, cpu: used.user + used.system };
}

const result = (path: InboundResult['path'], r: { sentAt: Map<string, number>; ms: number; cpu: number }, arrived: Map<string, number>): InboundResult => ({
  path,
  messages: r.sentAt.size,
  eventsPerSecond: Math.round((r.sentAt.size / r.ms) * 1000),
  latencyMs: spread([...r.sentAt].map(([id, at]) => (arrived.get(id) ?? at) - at)),
  cpuMicrosPerMessage: Math.round(r.cpu / r.sentAt.size),
});

/** Through the gateway: the real library in a WHATSAPP-BAILEYS instance, stored, delivered to a webhook receiver. */
export async function inboundThroughGateway(contacts: number, perContact: number): Promise<InboundResult> {
  const sim = await startSimulator();
  const arrived = new Map<string, number>();
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { event: string; data: { key?: { id: string } } };
      if (body.event === 'messages.upsert' && body.data.key) arrived.set(body.data.key.id, performance.now());
      res.writeHead(200).end('{}');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  const server = await startGateway({ BAILEYS_WEBSOCKET_URL: sim.url, SANDBOX_ENABLED: 'false' });
  const created = await server.call('POST', '/instance/create', { instanceName: 'bench', integration: 'WHATSAPP-BAILEYS', qrcode: true, webhook: { url: hook, events: ['MESSAGES_UPSERT'] } });
  await sim.phone(ME).scan(created.body.qrcode.code);
  await until(() => (sim.phone(ME).companions()[0]?.keys?.preKeys.size ?? 0) > 0, 60_000);
  await messagingOf(sim).bootstrapHistory(ME, []);
  const r = await flood(sim, contacts, perContact, arrived);
  await server.stop();
  await new Promise((r) => receiver.close(r));
  await sim.stop();
  return result('gateway', r, arrived);
}

/** The floor: the same library alone, with its own file auth state, counting messages.upsert. */
export async function inboundLibraryAlone(contacts: number, perContact: number): Promise<InboundResult> {
  const sim = await startSimulator();
  const auth = await tempAuthDir();
  const { client } = await linkByQr(sim, ME, auth);
  const arrived = new Map<string, number>();
  client.sock.ev.on('messages.upsert', ({ messages }) => {
    for (const m of messages) if (m.key.id) arrived.set(m.key.id, performance.now());
  });
  await until(() => (sim.phone(ME).companions()[0]?.keys?.preKeys.size ?? 0) > 0, 60_000);
  await messagingOf(sim).bootstrapHistory(ME, []);
  const r = await flood(sim, contacts, perContact, arrived);
  client.sock.end(undefined);
  await sim.stop();
  await auth.remove();
  return result('library', r, arrived);
}

async function until(probe: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!probe()) {
    if (performance.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}
