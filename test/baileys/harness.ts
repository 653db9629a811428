import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type Simulator } from '../../sim/waweb/index.js';
import { messagingOf, type HistoryChat, type Messaging } from '../../sim/waweb/contacts.js';
import type { BaileysChannel } from '../../src/channels/baileys/channel.js';
import { WebhookReceiver, type Received } from '../helpers/receiver.js';
import { startTestServer, waitFor, type TestServer } from '../helpers/server.js';

/** A gateway whose WHATSAPP-BAILEYS instances connect to a WhatsApp Web simulator, and a webhook receiver. */
export interface BaileysBench {
  sim: Simulator;
  messaging: Messaging;
  server: TestServer;
  hook: WebhookReceiver;
  env: Record<string, string>;
  /** Creates an instance with the receiver as its webhook; answers the create body. */
  create(name: string, extra?: Record<string, unknown>): Promise<any>;
  /** Creates, scans the QR as `phone` and waits for open (the simulated phone also sends the history bootstrap). */
  link(name: string, phone: string, history?: HistoryChat[]): Promise<{ token: string; id: string }>;
  /** The channel of an instance (its library socket: `channel(name).socket`). */
  channel(name: string): BaileysChannel;
  events(instance: string, event: string): Received[];
  waitEvent(instance: string, event: string, pred?: (data: any) => boolean, timeoutMs?: number): Promise<Received>;
  state(name: string): Promise<string | undefined>;
  stop(): Promise<void>;
}

/** `media`: start the simulator's HTTPS media host and have the gateway trust its test CA (BAILEYS_EXTRA_CA_FILE). */
export async function startBench(env: Record<string, string> = {}, reuse?: { sim: Simulator; hook: WebhookReceiver; dir?: string }, { media = false } = {}): Promise<BaileysBench> {
  const sim = reuse?.sim ?? (await startSimulator());
  const hook = reuse?.hook ?? (await new WebhookReceiver().start());
  const extra: Record<string, string> = {};
  if (media) {
    const dir = mkdtempSync(join(tmpdir(), 'baileys-ca-'));
    writeFileSync(join(dir, 'ca.pem'), (await messagingOf(sim).media.start()).ca);
    extra.BAILEYS_EXTRA_CA_FILE = join(dir, 'ca.pem');
  }
  const fullEnv = { BAILEYS_WEBSOCKET_URL: sim.url, SANDBOX_ENABLED: 'false', ...extra, ...env };
  const server = await startTestServer(fullEnv, reuse?.dir);
  const bench: BaileysBench = {
    sim,
    messaging: messagingOf(sim),
    server,
    hook,
    env: server.env,
    async create(name, extra = {}) {
      const res = await server.call('POST', '/instance/create', { instanceName: name, integration: 'WHATSAPP-BAILEYS', qrcode: true, webhook: { url: hook.url, events: [] }, ...extra });
      if (res.status !== 201) throw new Error(`create ${name}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    },
    async link(name, phone, history = []) {
      const created = await bench.create(name);
      await sim.phone(phone).scan(created.qrcode.code);
      await bench.waitEvent(name, 'connection.update', (d) => d.state === 'open', 60_000);
      // Contacts can start sessions once the library uploaded its prekeys; the history bootstrap ends the event buffering.
      await waitFor(() => (sim.phone(phone).companions()[0]?.keys?.preKeys.size ?? 0) > 0, 10_000, 'prekeys uploaded');
      await bench.messaging.bootstrapHistory(phone, history);
      await waitFor(() => bench.channel(name).socket?.ev.isBuffering() === false, 10_000, 'the library flushed its buffered events');
      return { token: created.hash, id: created.instance.instanceId };
    },
    channel(name) {
      const live = server.gateway.registry.get(name);
      if (!live) throw new Error(`no instance ${name}`);
      return live.channel as BaileysChannel;
    },
    events: (instance, event) => hook.events(event).filter((r) => r.body.instance === instance),
    waitEvent: (instance, event, pred = () => true, timeoutMs = 30_000) => waitFor(() => hook.events(event).find((r) => r.body.instance === instance && pred(r.body.data)), timeoutMs, `${event} of ${instance}`),
    state: async (name) => (await server.call('GET', `/instance/connectionState/${name}`)).body?.instance?.state,
    async stop() {
      await server.stop();
      if (!reuse) {
        await hook.stop();
        await sim.stop();
        await bench.messaging.media.stop();
      }
    },
  };
  return bench;
}
