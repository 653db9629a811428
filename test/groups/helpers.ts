import { afterAll, beforeAll, expect } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { WebhookReceiver, type Received } from '../helpers/receiver.js';

export const jid = (number: string) => `${number}@s.whatsapp.net`;

export interface Member {
  name: string;
  number: string;
  token: string;
  instanceId: string;
  hook: WebhookReceiver;
}

/** A sandbox instance with its own webhook (every event), connected as `number` with `profileName`. */
export async function member(server: TestServer, hook: WebhookReceiver, name: string, number: string, profileName: string): Promise<Member> {
  const created = await server.call('POST', '/instance/create', { instanceName: name, integration: 'SANDBOX', qrcode: true, webhook: { url: hook.url, events: [] } });
  expect(created.status).toBe(201);
  const scanned = await server.call('POST', `/sandbox/scan/${name}`, { number, profileName });
  expect(scanned.status).toBe(200);
  return { name, number, token: created.body.hash, instanceId: created.body.instance.instanceId, hook };
}

/** Registers hooks that start a server with two connected members, alice and bob (each with a webhook), and stop it. */
export function twoMembers(numbers: [string, string]): { server: TestServer; alice: Member; bob: Member } {
  const hooks = [new WebhookReceiver(), new WebhookReceiver()];
  const world = {} as { server: TestServer; alice: Member; bob: Member };
  beforeAll(async () => {
    for (const h of hooks) await h.start();
    world.server = await startTestServer();
    world.alice = await member(world.server, hooks[0]!, 'alice', numbers[0], 'Alice');
    world.bob = await member(world.server, hooks[1]!, 'bob', numbers[1], 'Bob');
  });
  afterAll(async () => {
    await world.server?.stop();
    for (const h of hooks) await h.stop();
  });
  return world;
}

/** The envelope of one of the instance's webhooks, and its data. */
export function dataOf(r: Received, m: Member, event: string): any {
  expect(r.body).toMatchObject({ event, instance: m.name, destination: m.hook.url, sender: jid(m.number) });
  return r.body.data;
}

/** Waits for the instance's next `event` whose data passes `match`, and gives its data. */
export async function next(m: Member, event: string, match: (data: any) => boolean = () => true): Promise<any> {
  const r = await m.hook.waitForEvent(event, (x) => match(x.body.data), 5000);
  return dataOf(r, m, event);
}

/** Waits for `groups.update` carrying `field` with `value` for this group. */
export function groupUpdate(m: Member, group: string, field: string, value: unknown): Promise<any> {
  return next(m, 'groups.update', (d) => Array.isArray(d) && d[0]?.id === group && JSON.stringify(d[0][field]) === JSON.stringify(value));
}

/** Waits for `group-participants.update` with this action and these participants. */
export function participantsUpdate(m: Member, group: string, action: string, participants: string[]): Promise<any> {
  return next(m, 'group-participants.update', (d) => d.id === group && d.action === action && JSON.stringify(d.participants) === JSON.stringify(participants));
}
