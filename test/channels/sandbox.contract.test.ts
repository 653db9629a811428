import { channelContract } from './contract.js';
import type { TestServer } from '../helpers/server.js';

async function expectStatus(res: Promise<{ status: number; body: unknown }>, status: number, what: string): Promise<void> {
  const r = await res;
  if (r.status !== status) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
}

/** The built-in sandbox: the simulated phone scans the QR; simulated contacts write through /sandbox/inbound. */
channelContract({
  integration: 'SANDBOX',
  recipient: '5511988880000',
  // A number outside the sandbox is a simulated contact: WhatsApp's server acks, then the contact's phone.
  acks: ['SERVER_ACK', 'DELIVERY_ACK'],
  async login(server: TestServer, instanceName: string, number: string) {
    const state = (await server.call('GET', `/instance/connectionState/${instanceName}`)).body?.instance?.state;
    if (state === 'close') await expectStatus(server.call('GET', `/instance/connect/${instanceName}`), 200, `connect ${instanceName}`);
    await expectStatus(server.call('POST', `/sandbox/scan/${instanceName}`, { number }), 200, `scan ${instanceName}`);
  },
  async contactSends(server: TestServer, instanceName: string, from: string, text: string, id: string) {
    await expectStatus(server.call('POST', `/sandbox/inbound/${instanceName}`, { from, pushName: `Contact ${from.slice(-4)}`, text, id }), 201, `inbound ${instanceName}`);
  },
});
