import { startTestServer, type TestServer } from '../helpers/server.js';
import { WebhookReceiver, type Received } from '../helpers/receiver.js';

/** One side of the conversation: a connected sandbox instance, its token, its number and its webhook. */
export interface Side {
  name: string;
  number: string;
  profileName: string;
  jid: string;
  token: string;
  id: string;
  hook: WebhookReceiver;
  /** Webhook bodies of one event for this instance. */
  events(event: string): Received[];
  /** The first webhook of `event` whose data matches. */
  waitFor(event: string, match: (data: any) => boolean, timeoutMs?: number): Promise<any>;
}

export interface Pair {
  server: TestServer;
  a: Side;
  b: Side;
  stop(): Promise<void>;
  /** A call with the side's own instance token. */
  as(side: Side, method: string, path: string, body?: unknown): ReturnType<TestServer['call']>;
}

/** A gateway with two connected sandbox instances that talk to each other, each with its own webhook receiver. */
export async function startPair(prefix: string, numbers: [string, string], env: Record<string, string> = {}): Promise<Pair> {
  const server = await startTestServer(env);
  const side = async (suffix: string, number: string, profileName: string): Promise<Side> => {
    const hook = await new WebhookReceiver().start();
    const name = `${prefix}-${suffix}`;
    const created = await server.call('POST', '/instance/create', { instanceName: name, integration: 'SANDBOX', qrcode: true, webhook: { url: hook.url, events: [] } });
    if (created.status !== 201) throw new Error(`create ${name}: ${created.status} ${JSON.stringify(created.body)}`);
    const scanned = await server.call('POST', `/sandbox/scan/${name}`, { number, profileName });
    if (scanned.status !== 200) throw new Error(`scan ${name}: ${scanned.status} ${JSON.stringify(scanned.body)}`);
    return {
      name,
      number,
      profileName,
      jid: `${number}@s.whatsapp.net`,
      token: created.body.hash,
      id: created.body.instance.instanceId,
      hook,
      events: (event) => hook.events(event).filter((r) => r.body.instance === name),
      waitFor: async (event, match, timeoutMs = 5000) => (await hook.waitForEvent(event, (r) => r.body.instance === name && match(r.body.data), timeoutMs)).body.data,
    };
  };
  const a = await side('a', numbers[0], 'Alice');
  const b = await side('b', numbers[1], 'Bruno');
  return {
    server,
    a,
    b,
    as: (s, method, path, body) => server.call(method, path, body, s.token),
    stop: async () => {
      await server.stop();
      await a.hook.stop();
      await b.hook.stop();
    },
  };
}
