import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectedSandbox, startTestServer, waitFor, type TestServer } from '../helpers/server.js';
import { FakeChatwoot } from '../helpers/fakeChatwoot.js';

/**
 * A restart of the gateway in the middle of a Chatwoot conversation duplicates nothing: messages Chatwoot stored but
 * whose answer was lost, messages not yet delivered, a repeated agent webhook and a WhatsApp message delivered again.
 */
const CONTACT = '5511977776666';
const JID = `${CONTACT}@s.whatsapp.net`;

describe('Chatwoot across a gateway restart', () => {
  let dir: string;
  let server: TestServer;
  let cw: FakeChatwoot;
  const env = { CHATWOOT_ENABLED: 'true' };
  const count = (content: string) => cw.messages.filter((m) => m.content === content).length;
  const settle = async () => {
    for (let i = 0; i < 3; i++) {
      await server.gateway.chatwoot.idle();
      await new Promise((r) => setTimeout(r, 30));
    }
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gw-cw-restart-'));
    cw = await new FakeChatwoot().start();
    server = await startTestServer(env, dir);
    await connectedSandbox(server, 'cwr', '5511900000201');
    const set = await server.call('POST', '/chatwoot/set/cwr', { enabled: true, accountId: '1', token: cw.token, url: cw.url, signMsg: false, reopenConversation: true, conversationPending: false, autoCreate: true });
    expect(set.status).toBe(201);
  }, 30_000);
  afterAll(async () => {
    await server?.stop();
    await cw?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers what was pending exactly once after the restart', async () => {
    const m1 = await server.call('POST', '/sandbox/inbound/cwr', { from: CONTACT, pushName: 'Rui', text: 'first' });
    await waitFor(() => count('first') === 1, 5000, 'first in Chatwoot');
    const conversationId = cw.conversations[0]!.id;
    const reply = await cw.agentReply(conversationId, 'agent answer');
    await waitFor(async () => (await server.call('POST', '/chat/findMessages/cwr', { where: { key: { remoteJid: JID, fromMe: true } } })).body.messages.total === 1, 5000, 'agent answer on WhatsApp');

    // Chatwoot stores the next message but its answer is lost; then it is down altogether.
    let posts = 0;
    cw.fail = (method, path) => (method === 'POST' && path.endsWith('/messages') ? (++posts === 1 ? { status: 502, afterStore: true } : { status: 503 }) : undefined);
    await server.call('POST', '/sandbox/inbound/cwr', { from: CONTACT, pushName: 'Rui', text: 'second' });
    await waitFor(() => count('second') === 1 && posts >= 1, 5000, 'second stored by Chatwoot, answer lost');
    await server.call('POST', '/sandbox/inbound/cwr', { from: CONTACT, pushName: 'Rui', text: 'third' });
    await settle();
    const instanceId = server.gateway.registry.get('cwr')!.id;
    expect(await server.gateway.chatwoot.pending(instanceId)).toBe(2);

    // The gateway stops in the middle of the conversation; Chatwoot comes back.
    await server.stop({ keepData: true });
    cw.fail = () => undefined;
    server = await startTestServer(env, dir);
    const base = server.url;
    for (const inbox of cw.inboxes) inbox.webhook_url = inbox.webhook_url.replace(/^http:\/\/[^/]+/, base);
    await waitFor(async () => (await server.call('GET', '/instance/connectionState/cwr')).body.instance?.state === 'open', 10_000, 'reconnected');

    await waitFor(() => count('third') === 1, 10_000, 'third delivered after restart');
    await settle();
    expect(await server.gateway.chatwoot.pending(instanceId)).toBe(0);
    expect([count('first'), count('second'), count('third')]).toEqual([1, 1, 1]);

    // The same WhatsApp message delivered again, and Chatwoot repeating the agent's webhook: nothing twice.
    await server.call('POST', '/sandbox/inbound/cwr', { from: CONTACT, pushName: 'Rui', text: 'first', id: m1.body.key.id });
    await cw.repost(reply);
    // The conversation goes on in the same conversation, with the same contact.
    await server.call('POST', '/sandbox/inbound/cwr', { from: CONTACT, pushName: 'Rui', text: 'fourth' });
    await waitFor(() => count('fourth') === 1, 5000, 'fourth');
    await settle();
    expect(count('first')).toBe(1);
    expect((await server.call('POST', '/chat/findMessages/cwr', { where: { key: { remoteJid: JID, fromMe: true } } })).body.messages.total).toBe(1);
    expect(cw.contacts).toHaveLength(1);
    expect(cw.conversations).toHaveLength(1);
    expect(cw.messagesOf(conversationId).map((m) => m.content)).toEqual(['first', 'agent answer', 'second', 'third', 'fourth']);
  }, 40_000);
});
