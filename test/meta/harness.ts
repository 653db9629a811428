import { WebhookReceiver } from '../helpers/receiver.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { APP_SECRET, FakeGraph, VERSION, type PhoneNumber } from '../../sim/graph/fakeGraph.js';

export interface MetaWorld {
  graph: FakeGraph;
  server: TestServer;
  hook: WebhookReceiver;
  stop(): Promise<void>;
}

/** A gateway pointed at a local fake Graph API, with a webhook receiver. */
export async function metaWorld(env: Record<string, string> = {}, dir?: string): Promise<MetaWorld> {
  const graph = await new FakeGraph().start();
  const hook = await new WebhookReceiver().start();
  const server = await startTestServer({ WA_BUSINESS_URL: graph.url, WA_BUSINESS_VERSION: VERSION, WA_BUSINESS_APP_SECRET: APP_SECRET, WA_BUSINESS_TOKEN_WEBHOOK: 'verify-me', ...env }, dir);
  graph.webhookUrl = `${server.url}/webhook/meta`;
  return {
    graph,
    server,
    hook,
    async stop() {
      await server.stop();
      await graph.stop();
      await hook.stop();
    },
  };
}

/** Creates a WHATSAPP-BUSINESS instance for a fake phone number, with the receiver as its webhook. */
export async function createMetaInstance(w: MetaWorld, name: string, phone: PhoneNumber, extra: Record<string, unknown> = {}): Promise<{ id: string; token: string }> {
  const res = await w.server.call('POST', '/instance/create', { instanceName: name, integration: 'WHATSAPP-BUSINESS', token: phone.token, number: phone.id, businessId: phone.businessId, webhook: { url: w.hook.url, events: [] }, ...extra });
  if (res.status !== 201) throw new Error(`create ${name}: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.instance.instanceId, token: res.body.hash };
}

let seq = 0;
/** Cloud API inbound messages as Meta posts them (field `messages`). */
export const inbound = {
  id: () => `wamid.HBgNNTUxMTk4ODg4${String(++seq).padStart(6, '0')}FQIAEhgg`,
  value(from: string, message: Record<string, unknown>, name = 'Ana Cliente') {
    return { contacts: [{ profile: { name }, wa_id: from }], messages: [{ from, timestamp: String(Math.floor(Date.now() / 1000)), ...message }] };
  },
};
