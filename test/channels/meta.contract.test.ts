import { channelContract } from './contract.js';
import type { TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/server.js';
import { APP_SECRET, FakeGraph, VERSION, type PhoneNumber } from '../../sim/graph/fakeGraph.js';

/** One local Graph API for the whole suite; every instance is a Cloud API number of its own there. */
const graph = await new FakeGraph().start();
const phones = new Map<string, PhoneNumber>();
const byInstance = new Map<string, PhoneNumber>();
const display = (i: number) => `55119700${String(i).padStart(5, '0')}`;

/** The Meta Cloud API: Graph acks each send with signed `sent` then `delivered` webhooks; customers write through signed webhooks. */
channelContract({
  integration: 'WHATSAPP-BUSINESS',
  env: { WA_BUSINESS_URL: graph.url, WA_BUSINESS_VERSION: VERSION, WA_BUSINESS_APP_SECRET: APP_SECRET },
  recipient: '5511988880000',
  acks: ['SERVER_ACK', 'DELIVERY_ACK'],
  number: display,
  createFieldsFor(index: number) {
    const phone = graph.addPhone({ id: `10${display(index)}`, display: display(index) });
    phones.set(phone.display, phone);
    graph.templates.set(phone.businessId, [{ id: '1500000000000000', name: 'hello_world', language: 'en_US', category: 'UTILITY', status: 'APPROVED', components: [{ type: 'BODY', text: 'Hello World' }] }]);
    return { token: phone.token, number: phone.id, businessId: phone.businessId };
  },
  async login(server: TestServer, instanceName: string, number: string) {
    graph.webhookUrl = `${server.url}/webhook/meta`;
    byInstance.set(instanceName, phones.get(number)!);
    // No QR: the number is open once created, and Graph tells who it is.
    await waitFor(async () => (await server.call('GET', `/instance/fetchInstances?instanceName=${instanceName}`)).body?.[0]?.ownerJid === `${number}@s.whatsapp.net`, 5000, `${instanceName} open as ${number}`);
  },
  async contactSends(server: TestServer, instanceName: string, from: string, text: string, id: string) {
    graph.webhookUrl = `${server.url}/webhook/meta`;
    const phone = byInstance.get(instanceName)!;
    const payload = graph.envelope(phone, { contacts: [{ profile: { name: `Contact ${from.slice(-4)}` }, wa_id: from }], messages: [{ from, id, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: text } }] });
    const res = await graph.post(payload);
    if (res.status !== 200) throw new Error(`webhook for ${instanceName}: ${res.status} ${JSON.stringify(res.body)}`);
  },
});
