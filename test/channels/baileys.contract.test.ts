import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, vi } from 'vitest';
import { startSimulator } from '../../sim/waweb/index.js';
import { messagingOf } from '../../sim/waweb/contacts.js';
import type { BaileysChannel } from '../../src/channels/baileys/channel.js';
import { waitFor, type TestServer } from '../helpers/server.js';
import { channelContract } from './contract.js';

/**
 * The real Baileys library against the WhatsApp Web simulator: the simulated phone scans the QR the gateway shows;
 * simulated contacts (own Signal identities) write to the instance; media goes through the simulator's HTTPS host.
 */
// Each login is a Noise handshake, a pairing and a prekey upload by the real library: slower than the sandbox's.
vi.setConfig({ testTimeout: 120_000 });
const sim = await startSimulator();
const messaging = messagingOf(sim);
const caDir = mkdtempSync(join(tmpdir(), 'baileys-contract-ca-'));
writeFileSync(join(caDir, 'ca.pem'), (await messaging.media.start()).ca);
const RECIPIENT = '15550009000';
messaging.contact(RECIPIENT, 'Recipient');
/** The number each instance logged in as, by instance name. */
const numbers = new Map<string, string>();

afterAll(async () => {
  await sim.stop();
  await messaging.media.stop();
});

async function expectStatus(res: Promise<{ status: number; body: any }>, status: number, what: string) {
  const r = await res;
  if (r.status !== status) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

channelContract({
  integration: 'WHATSAPP-BAILEYS',
  env: { BAILEYS_WEBSOCKET_URL: sim.url, BAILEYS_EXTRA_CA_FILE: join(caDir, 'ca.pem') },
  recipient: RECIPIENT,
  number: (i) => `1555100${String(i).padStart(4, '0')}`,
  contact: (i) => `1555200${String(i).padStart(4, '0')}`,
  // The server's ack of the stanza, then the contact's phone's delivery receipt.
  acks: ['SERVER_ACK', 'DELIVERY_ACK'],
  async login(server: TestServer, name: string, number: string) {
    const qr = await expectStatus(server.call('GET', `/instance/connect/${name}`), 200, `connect ${name}`);
    if (qr.pairingCode) await sim.phone(number).enterCode(qr.pairingCode);
    else await sim.phone(number).scan(qr.code);
    await waitFor(async () => (await server.call('GET', `/instance/connectionState/${name}`)).body?.instance?.state === 'open', 20_000, `${name} open`);
    await waitFor(() => (sim.phone(number).companions()[0]?.keys?.preKeys.size ?? 0) > 0, 10_000, 'prekeys uploaded');
    await messaging.bootstrapHistory(number, []);
    const channel = server.gateway.registry.get(name)!.channel as BaileysChannel;
    await waitFor(() => channel.socket?.ev.isBuffering() === false, 10_000, 'buffered events flushed');
    numbers.set(name, number);
  },
  async contactSends(_server: TestServer, name: string, from: string, text: string, id: string) {
    const to = numbers.get(name);
    if (!to) throw new Error(`${name} never logged in`);
    await messaging.contact(from).send(`${to}@s.whatsapp.net`, { conversation: text }, id);
  },
});
