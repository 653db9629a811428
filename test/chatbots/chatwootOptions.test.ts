import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectedSandbox, startTestServer, waitFor, type TestServer } from '../helpers/server.js';
import { FakeChatwoot } from '../helpers/fakeChatwoot.js';

/** The contract's Chatwoot options and the import, each against the fake Chatwoot on its own instance. */
describe('Chatwoot options and import', () => {
  let server: TestServer;
  let cw: FakeChatwoot;
  let n = 0;

  const settle = async () => {
    for (let i = 0; i < 3; i++) {
      await server.gateway.chatwoot.idle();
      await new Promise((r) => setTimeout(r, 30));
    }
  };
  /** A connected sandbox instance with Chatwoot set (autoCreate: its own inbox); returns its name and inbox id. */
  const instance = async (options: Record<string, unknown> = {}) => {
    const name = `cwo${++n}`;
    await connectedSandbox(server, name, `55119000003${String(n).padStart(2, '0')}`);
    const res = await server.call('POST', `/chatwoot/set/${name}`, { enabled: true, accountId: '1', token: cw.token, url: cw.url, signMsg: false, reopenConversation: false, conversationPending: false, autoCreate: true, ...options });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return { name, inboxId: cw.inboxes.find((i) => i.name === name)!.id };
  };
  const inbound = (name: string, body: Record<string, unknown>) => server.call('POST', `/sandbox/inbound/${name}`, body);
  const inInbox = (inboxId: number) => cw.messages.filter((m) => cw.conversations.find((c) => c.id === m.conversation_id)?.inbox_id === inboxId);

  beforeAll(async () => {
    cw = await new FakeChatwoot().start();
    server = await startTestServer({ CHATWOOT_ENABLED: 'true' });
  }, 30_000);
  afterAll(async () => {
    await server?.stop();
    await cw?.stop();
  });

  it('reopenConversation: a resolved conversation is reopened (pending with conversationPending) instead of replaced', async () => {
    const { name, inboxId } = await instance({ reopenConversation: true, conversationPending: true });
    await inbound(name, { from: '5511911110001', pushName: 'Lia', text: 'one' });
    await waitFor(() => inInbox(inboxId).length === 1, 5000, 'first');
    const conversation = cw.conversations.find((c) => c.inbox_id === inboxId)!;
    expect(conversation.status).toBe('pending');
    conversation.status = 'resolved';
    await cw.agentReply(conversation.id, 'resolving'); // any webhook of the conversation makes the gateway look again
    await server.call('POST', `/chatwoot/webhook/${name}?token=${new URL(cw.inboxes.find((i) => i.id === inboxId)!.webhook_url).searchParams.get('token')}`, { event: 'conversation_status_changed', id: conversation.id, status: 'resolved' }, null);
    await inbound(name, { from: '5511911110001', pushName: 'Lia', text: 'two' });
    await waitFor(() => inInbox(inboxId).some((m) => m.content === 'two'), 5000, 'second');
    expect(cw.conversations.filter((c) => c.inbox_id === inboxId)).toHaveLength(1);
    expect(conversation.status).toBe('pending');
  });

  it('without reopenConversation a resolved conversation is left alone and a new one starts (open)', async () => {
    const { name, inboxId } = await instance();
    await inbound(name, { from: '5511911110002', pushName: 'Rafa', text: 'one' });
    await waitFor(() => inInbox(inboxId).length === 1, 5000, 'first');
    const first = cw.conversations.find((c) => c.inbox_id === inboxId)!;
    expect(first.status).toBe('open');
    first.status = 'resolved';
    const token = new URL(cw.inboxes.find((i) => i.id === inboxId)!.webhook_url).searchParams.get('token');
    await server.call('POST', `/chatwoot/webhook/${name}?token=${token}`, { event: 'conversation_status_changed', id: first.id, status: 'resolved' }, null);
    await inbound(name, { from: '5511911110002', pushName: 'Rafa', text: 'two' });
    await waitFor(() => inInbox(inboxId).some((m) => m.content === 'two'), 5000, 'second');
    const mine = cw.conversations.filter((c) => c.inbox_id === inboxId);
    expect(mine.map((c) => c.status)).toEqual(['resolved', 'open']);
    expect(cw.messagesOf(mine[1]!.id).map((m) => m.content)).toEqual(['two']);
  });

  it('mergeBrazilContacts: the number with and without the ninth digit is one contact', async () => {
    const { name, inboxId } = await instance({ mergeBrazilContacts: true });
    await inbound(name, { from: '5511987654321', pushName: 'Caio', text: 'with nine' });
    await waitFor(() => inInbox(inboxId).length === 1, 5000, 'first');
    await inbound(name, { from: '551187654321', pushName: 'Caio', text: 'without nine' });
    await waitFor(() => inInbox(inboxId).length === 2, 5000, 'second');
    const contacts = cw.contacts.filter((c) => c.inbox_id === inboxId);
    expect(contacts).toHaveLength(1);
    expect(cw.conversations.filter((c) => c.inbox_id === inboxId)).toHaveLength(1);
  });

  it('ignoreJids: ignored chats (and every group with "@g.us") never reach Chatwoot', async () => {
    const { name, inboxId } = await instance({ ignoreJids: ['5511911110004@s.whatsapp.net', '@g.us'] });
    await inbound(name, { from: '5511911110004', pushName: 'Ignored', text: 'not synced' });
    await inbound(name, { from: '5511911110005', pushName: 'Kept', text: 'group message', groupJid: '120363000000000001@g.us' });
    await inbound(name, { from: '5511911110005', pushName: 'Kept', text: 'synced' });
    await waitFor(() => inInbox(inboxId).length === 1, 5000, 'kept message');
    await settle();
    expect(inInbox(inboxId).map((m) => m.content)).toEqual(['synced']);
  });

  it('groups: the group is the contact, and each message says who wrote it', async () => {
    const { name, inboxId } = await instance();
    const group = await server.call('POST', `/group/create/${name}`, { subject: 'Support', participants: ['5511911110006'] });
    expect(group.status, JSON.stringify(group.body)).toBe(201);
    const groupJid = group.body.id as string;
    await inbound(name, { from: '5511911110006', pushName: 'Bia', text: 'hello group', groupJid });
    await waitFor(() => inInbox(inboxId).length === 1, 5000, 'group message');
    expect(inInbox(inboxId)[0]!.content).toBe('**+5511911110006 - Bia:**\n\nhello group');
    const contact = cw.contacts.find((c) => c.inbox_id === inboxId)!;
    expect(contact).toMatchObject({ identifier: groupJid, phone_number: null });
    // An agent's reply goes to the group.
    const conversation = cw.conversations.find((c) => c.inbox_id === inboxId)!;
    await cw.agentReply(conversation.id, 'hi all');
    expect(cw.webhookAnswers.at(-1)!.status).toBe(200);
    const sent = await waitFor(async () => (await server.call('POST', `/chat/findMessages/${name}`, { where: { key: { remoteJid: groupJid, fromMe: true } } })).body.messages.records[0], 5000, 'reply in the group');
    expect(sent.message.conversation).toBe('hi all');
  });

  it('a reply WhatsApp refuses is answered with the error, and the agent gets a private note', async () => {
    const { name, inboxId } = await instance();
    await inbound(name, { from: '5511911110008', pushName: 'Gil', text: 'hello' });
    await waitFor(() => inInbox(inboxId).length === 1, 5000, 'first');
    const conversation = cw.conversations.find((c) => c.inbox_id === inboxId)!;
    await server.call('POST', `/sandbox/disconnect/${name}`, { statusReason: 401 });
    await cw.agentReply(conversation.id, 'are you still there?');
    expect(cw.webhookAnswers.at(-1)!.status).toBeGreaterThanOrEqual(400);
    const note = cw.messagesOf(conversation.id).at(-1)!;
    expect(note).toMatchObject({ private: true });
    expect(note.content).toMatch(/^WhatsApp did not get this message: /);
  });

  it('a chat Chatwoot keeps refusing does not hold up the other chats, and gets its messages in order once it recovers', async () => {
    const { name, inboxId } = await instance();
    await inbound(name, { from: '5511933330001', pushName: 'Stuck', text: 'a1' });
    await waitFor(() => inInbox(inboxId).length === 1, 5000, 'a1');
    const stuck = cw.conversations.find((c) => c.inbox_id === inboxId)!;
    cw.fail = (method, path) => (method === 'POST' && path === `/conversations/${stuck.id}/messages` ? { status: 503 } : undefined);
    for (const text of ['a2', 'a3', 'a4']) await inbound(name, { from: '5511933330001', pushName: 'Stuck', text });
    await inbound(name, { from: '5511933330002', pushName: 'Free', text: 'b1' });
    await waitFor(() => inInbox(inboxId).some((m) => m.content === 'b1'), 5000, 'the other chat');
    expect(cw.messagesOf(stuck.id).map((m) => m.content)).toEqual(['a1']);
    cw.fail = () => undefined;
    await waitFor(() => cw.messagesOf(stuck.id).length === 4, 8000, 'the stuck chat after recovery');
    expect(cw.messagesOf(stuck.id).map((m) => m.content)).toEqual(['a1', 'a2', 'a3', 'a4']);
  });

  it("one instance's slow Chatwoot does not hold up another instance's sync", async () => {
    const slow = await instance();
    const fast = await instance();
    cw.fail = (method, path) => (method === 'POST' && path.endsWith('/messages') && cw.conversations.some((c) => c.inbox_id === slow.inboxId && path === `/conversations/${c.id}/messages`) ? { delayMs: 2500 } : undefined);
    await inbound(slow.name, { from: '5511944440001', pushName: 'S', text: 'slow 0' });
    await waitFor(() => inInbox(slow.inboxId).length === 1, 8000, 'the slow conversation exists');
    for (let i = 1; i <= 3; i++) await inbound(slow.name, { from: '5511944440001', pushName: 'S', text: `slow ${i}` });
    await new Promise((r) => setTimeout(r, 100));
    await inbound(fast.name, { from: '5511944440002', pushName: 'F', text: 'fast' });
    // Queued after the slow instance's messages, delivered before they are all through.
    await waitFor(() => inInbox(fast.inboxId).some((m) => m.content === 'fast'), 15_000, 'the fast instance');
    expect(inInbox(slow.inboxId).length).toBeLessThan(4);
    cw.fail = () => undefined;
    await waitFor(() => inInbox(slow.inboxId).length === 4, 15_000, 'the slow instance catches up');
    expect(inInbox(slow.inboxId).map((m) => m.content)).toEqual(['slow 0', 'slow 1', 'slow 2', 'slow 3']);
  }, 30_000);

  it('signMsg with signDelimiter', async () => {
    const { name, inboxId } = await instance({ signMsg: true, signDelimiter: ' says: ' });
    await inbound(name, { from: '5511911110007', pushName: 'Duda', text: 'hey' });
    await waitFor(() => inInbox(inboxId).length === 1, 5000, 'first');
    const conversation = cw.conversations.find((c) => c.inbox_id === inboxId)!;
    await cw.agentReply(conversation.id, 'on my way', { agent: 'Carla' });
    const sent = await waitFor(async () => (await server.call('POST', `/chat/findMessages/${name}`, { where: { key: { remoteJid: '5511911110007@s.whatsapp.net', fromMe: true } } })).body.messages.records[0], 5000, 'signed reply');
    expect(sent.message.conversation).toBe('*Carla* says: on my way');
  });

  it('import: stored contacts and the messages of the last daysLimitImportMessages days, oldest first, once', async () => {
    const name = `cwo${++n}`;
    await connectedSandbox(server, name, '5511900000399');
    const now = Math.floor(Date.now() / 1000);
    await inbound(name, { from: '5511922220001', pushName: 'Old', text: 'too old', timestamp: now - 10 * 86_400 });
    await inbound(name, { from: '5511922220001', pushName: 'Old', text: 'recent one', timestamp: now - 2 * 86_400 });
    await inbound(name, { from: '5511922220001', pushName: 'Old', text: 'recent two', timestamp: now - 86_400 });
    await inbound(name, { from: '5511922220002', pushName: 'Quiet', text: 'old contact', timestamp: now - 20 * 86_400 });
    const body = { enabled: true, accountId: '1', token: cw.token, url: cw.url, signMsg: false, reopenConversation: false, conversationPending: false, autoCreate: true, importContacts: true, importMessages: true, daysLimitImportMessages: 5 };
    expect((await server.call('POST', `/chatwoot/set/${name}`, body)).status).toBe(201);
    const inboxId = cw.inboxes.find((i) => i.name === name)!.id;
    await waitFor(() => inInbox(inboxId).length === 2, 5000, 'imported messages');
    await settle();
    expect(inInbox(inboxId).map((m) => m.content)).toEqual(['recent one', 'recent two']);
    expect(cw.contacts.filter((c) => c.inbox_id === inboxId).map((c) => c.phone_number).sort()).toEqual(['+5511922220001', '+5511922220002']);
    // Setting again with import asks for the same things: nothing is posted twice.
    expect((await server.call('POST', `/chatwoot/set/${name}`, body)).status).toBe(201);
    await settle();
    expect(inInbox(inboxId)).toHaveLength(2);
    expect(cw.contacts.filter((c) => c.inbox_id === inboxId)).toHaveLength(2);
    // A history sync is imported too (importMessages), within the days limit.
    await server.call('POST', `/sandbox/history/${name}`, { messages: [{ from: '5511922220003', pushName: 'Hist', text: 'from history', timestamp: now - 3600 }, { from: '5511922220003', text: 'history too old', timestamp: now - 30 * 86_400 }], progress: 100 });
    await waitFor(() => inInbox(inboxId).some((m) => m.content === 'from history'), 5000, 'history import');
    await settle();
    expect(inInbox(inboxId).some((m) => m.content === 'history too old')).toBe(false);
  });

  it('/instance/create with the chatwoot fields configures Chatwoot; fetchInstances shows the Chatwoot row, token masked', async () => {
    const created = await server.call('POST', '/instance/create', { instanceName: 'cw-created', integration: 'SANDBOX', chatwootAccountId: '1', chatwootToken: cw.token, chatwootUrl: cw.url, chatwootSignMsg: true, chatwootReopenConversation: false, chatwootConversationPending: false, chatwootNameInbox: 'Created inbox' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.chatwoot).toMatchObject({ enabled: true, accountId: '1', token: '********', nameInbox: 'Created inbox', autoCreate: true, importContacts: true, importMessages: true, daysLimitImportMessages: 60 });
    expect(created.body.chatwoot.webhookUrl).toMatch(/\/chatwoot\/webhook\/cw-created\?token=/);
    expect(cw.inboxes.some((i) => i.name === 'Created inbox')).toBe(true);
    const [row] = (await server.call('GET', '/instance/fetchInstances?instanceName=cw-created')).body;
    expect(row.Chatwoot).toMatchObject({ enabled: true, accountId: '1', token: '********', url: cw.url, nameInbox: 'Created inbox', signMsg: true, instanceId: row.id });
    // A Chatwoot that refuses the token: the instance is not kept, as upstream.
    const refused = await server.call('POST', '/instance/create', { instanceName: 'cw-refused', integration: 'SANDBOX', chatwootAccountId: '1', chatwootToken: 'wrong', chatwootUrl: cw.url });
    expect(refused.status).toBe(400);
    expect((await server.call('GET', '/instance/fetchInstances?instanceName=cw-refused')).status).toBe(404);
  });

  it('Chatwoot disabled in the environment: the routes answer upstream\'s 400', async () => {
    const off = await startTestServer();
    try {
      await off.call('POST', '/instance/create', { instanceName: 'off', integration: 'SANDBOX' });
      for (const [method, path, body] of [['POST', '/chatwoot/set/off', { enabled: false, accountId: '', token: '', url: '', signMsg: false, reopenConversation: false, conversationPending: false }], ['GET', '/chatwoot/find/off', undefined], ['POST', '/chatwoot/webhook/off', { event: 'message_created' }]] as const) {
        const res = await off.call(method, path, body);
        expect(res.body, path).toEqual({ status: 400, error: 'Bad Request', response: { message: ['Chatwoot is disabled'] } });
      }
    } finally {
      await off.stop();
    }
  });
});
