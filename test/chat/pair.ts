import { expect } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { WebhookReceiver, type Received } from '../helpers/receiver.js';

export interface Side {
  name: string;
  number: string;
  jid: string;
  token: string;
  hook: WebhookReceiver;
}

export interface Pair {
  server: TestServer;
  a: Side;
  b: Side;
  stop(): Promise<void>;
}

/** One gateway with two connected sandbox instances, each with its own webhook receiving every event. */
export async function startPair(prefix: string, numbers: [string, string], env: Record<string, string> = {}): Promise<Pair> {
  const server = await startTestServer({ SERVER_URL: 'http://gateway.test', ...env });
  const side = async (name: string, number: string, profileName: string): Promise<Side> => {
    const hook = await new WebhookReceiver().start();
    const created = await server.call('POST', '/instance/create', { instanceName: name, integration: 'SANDBOX', qrcode: true, webhook: { url: hook.url, events: [] } });
    if (created.status !== 201) throw new Error(`create ${name}: ${created.status}`);
    const scanned = await server.call('POST', `/sandbox/scan/${name}`, { number, profileName });
    if (scanned.status !== 200) throw new Error(`scan ${name}: ${scanned.status}`);
    await hook.waitForEvent('connection.update', (r) => r.body.data.state === 'open');
    return { name, number, jid: `${number}@s.whatsapp.net`, token: created.body.hash, hook };
  };
  const a = await side(`${prefix}-a`, numbers[0], 'Alice');
  const b = await side(`${prefix}-b`, numbers[1], 'Bob');
  return {
    server,
    a,
    b,
    async stop() {
      await server.stop();
      await a.hook.stop();
      await b.hook.stop();
    },
  };
}

/** The envelope fields of a webhook from `side` (contract §3.2). */
export function expectEnvelope(r: Received, event: string, side: Side): void {
  expect(r.body.event).toBe(event);
  expect(r.body.instance).toBe(side.name);
  expect(r.body.destination).toBe(side.hook.url);
  expect(r.body.sender).toBe(side.jid);
  expect(r.body.server_url).toBe('http://gateway.test');
}

/** The common 401 / 404 checks of an instance route: another instance's token, an unknown instance. */
export async function expectGuarded(pair: Pair, method: string, route: string, body?: unknown): Promise<void> {
  const foreign = await pair.server.call(method, `${route}/${pair.a.name}`, body, pair.b.token);
  expect(foreign.status).toBe(401);
  expect(foreign.body).toEqual({ status: 401, error: 'Unauthorized', response: { message: 'Unauthorized' } });
  const unknown = await pair.server.call(method, `${route}/nobody-here`, body);
  expect(unknown.status).toBe(404);
  expect(unknown.body).toEqual({ status: 404, error: 'Not Found', response: { message: ['The "nobody-here" instance does not exist'] } });
}
