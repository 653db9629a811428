import { channelContract } from './contract.js';
import type { TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/server.js';

const number = (i: number) => `55119700${String(i).padStart(5, '0')}`;

/** The generic channel: another system posts what its users send to /webhook/evolution; sends are announced only. */
channelContract({
  integration: 'EVOLUTION',
  recipient: '5511988880000',
  number,
  createFieldsFor: (index: number) => ({ number: number(index) }),
  async login(server: TestServer, instanceName: string, n: string) {
    await waitFor(async () => (await server.call('GET', `/instance/fetchInstances?instanceName=${instanceName}`)).body?.[0]?.ownerJid === `${n}@s.whatsapp.net`, 5000, `${instanceName} open`);
  },
  async contactSends(server: TestServer, instanceName: string, from: string, text: string, id: string) {
    const live = server.gateway.registry.get(instanceName)!;
    const res = await server.call('POST', '/webhook/evolution', { numberId: live.instance.number, key: { id, remoteJid: `${from}@s.whatsapp.net`, fromMe: false }, pushName: `Contact ${from.slice(-4)}`, message: { conversation: text } }, live.instance.token);
    if (res.status !== 200) throw new Error(`inbound ${instanceName}: ${res.status} ${JSON.stringify(res.body)}`);
  },
});
