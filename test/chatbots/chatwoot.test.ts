import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { connectedSandbox, startTestServer, waitFor, type TestServer } from '../helpers/server.js';
import { FakeChatwoot } from '../helpers/fakeChatwoot.js';

/**
 * Chatwoot end to end: a sandbox instance, a local fake Chatwoot speaking its application API and posting its webhook
 * payloads back; WhatsApp -> Chatwoot and Chatwoot -> WhatsApp, with attachments, options, webhook authentication.
 */
const CONTACT = '5511988887777';

describe('Chatwoot integration', () => {
  let server: TestServer;
  let cw: FakeChatwoot;
  let png: Buffer;

  const settle = async () => {
    await server.gateway.chatwoot.idle();
    await new Promise((r) => setTimeout(r, 30));
    await server.gateway.chatwoot.idle();
  };
  const findMessages = async (name: string, remoteJid: string) => (await server.call('POST', `/chat/findMessages/${name}`, { where: { key: { remoteJid } }, page: 1, offset: 100 })).body.messages.records as any[];

  beforeAll(async () => {
    cw = await new FakeChatwoot().start();
    server = await startTestServer({ CHATWOOT_ENABLED: 'true' });
    png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#3366ff' } }).png().toBuffer();
    await connectedSandbox(server, 'cw', '5511900000101');
  }, 30_000);
  afterAll(async () => {
    await server?.stop();
    await cw?.stop();
  });

  it('set creates the inbox with an authenticated webhook URL, stores the token sealed and answers it masked', async () => {
    const res = await server.call('POST', '/chatwoot/set/cw', { enabled: true, accountId: '1', token: cw.token, url: cw.url, signMsg: true, reopenConversation: true, conversationPending: false, autoCreate: true, importContacts: false, importMessages: false });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.token).toBe('********');
    expect(res.body.webhook_url).toMatch(/\/chatwoot\/webhook\/cw\?token=[\w-]{20,}$/);
    expect(cw.inboxes).toHaveLength(1);
    expect(cw.inboxes[0]).toMatchObject({ name: 'cw', webhook_url: res.body.webhook_url });
    const found = await server.call('GET', '/chatwoot/find/cw');
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({ enabled: true, accountId: '1', token: '********', url: cw.url, signMsg: true, nameInbox: 'cw', webhook_url: res.body.webhook_url });
    const rows = await server.gateway.db.kysely.selectFrom('chatwootConfigs' as never).selectAll().execute() as any[];
    expect(rows[0].token).not.toContain(cw.token);
    // A second set keeps the inbox and the webhook secret.
    const again = await server.call('POST', '/chatwoot/set/cw', { enabled: true, accountId: '1', token: cw.token, url: cw.url, signMsg: true, reopenConversation: true, conversationPending: false, autoCreate: true });
    expect(again.body.webhook_url).toBe(res.body.webhook_url);
    expect(cw.inboxes).toHaveLength(1);
  });

  it('WhatsApp -> Chatwoot: a contact, a conversation and the incoming message, once', async () => {
    const inbound = await server.call('POST', '/sandbox/inbound/cw', { from: CONTACT, pushName: 'Ana', text: 'hi there' });
    expect(inbound.status).toBe(201);
    await waitFor(() => cw.messages.some((m) => m.content === 'hi there'), 5000, 'message in Chatwoot');
    await settle();
    expect(cw.contacts).toHaveLength(1);
    expect(cw.contacts[0]).toMatchObject({ name: 'Ana', phone_number: `+${CONTACT}`, identifier: `${CONTACT}@s.whatsapp.net` });
    expect(cw.conversations).toHaveLength(1);
    const [m] = cw.messagesOf(cw.conversations[0]!.id);
    expect(m).toMatchObject({ content: 'hi there', message_type: 'incoming', source_id: `WAID:${inbound.body.key.id}` });
    // A second message goes to the same conversation.
    await server.call('POST', '/sandbox/inbound/cw', { from: CONTACT, pushName: 'Ana', text: 'are you there?' });
    await waitFor(() => cw.messages.some((x) => x.content === 'are you there?'), 5000, 'second message');
    expect(cw.conversations).toHaveLength(1);
    expect(cw.contacts).toHaveLength(1);
  });

  it("Chatwoot -> WhatsApp: an agent's reply goes out signed through the send pipeline, and its echo is not posted back", async () => {
    const conversation = cw.conversations[0]!;
    const before = cw.messagesOf(conversation.id).length;
    const reply = await cw.agentReply(conversation.id, 'Hello Ana, how can I help?', { agent: 'Bob' });
    expect(cw.webhookAnswers.at(-1)).toEqual({ status: 200, body: { message: 'bot' } });
    const sent = await waitFor(async () => (await findMessages('cw', `${CONTACT}@s.whatsapp.net`)).find((r) => r.key.fromMe && r.message.conversation === '*Bob*\nHello Ana, how can I help?'), 5000, 'sent message');
    expect(sent.status).toBeDefined();
    await settle();
    // Only the agent's own message: the send.message of its WhatsApp copy was recognised, not posted again.
    expect(cw.messagesOf(conversation.id).length).toBe(before + 1);
    // Chatwoot repeating the webhook sends nothing twice.
    await cw.repost(reply);
    await settle();
    const copies = (await findMessages('cw', `${CONTACT}@s.whatsapp.net`)).filter((r) => r.key.fromMe && String(r.message.conversation).includes('how can I help'));
    expect(copies).toHaveLength(1);
    // Private notes and incoming messages never go to WhatsApp.
    await cw.agentReply(conversation.id, 'internal note', { private: true });
    await settle();
    expect((await findMessages('cw', `${CONTACT}@s.whatsapp.net`)).some((r) => String(r.message.conversation ?? '').includes('internal note'))).toBe(false);
  });

  it('an API send reaches Chatwoot as an outgoing message', async () => {
    const res = await server.call('POST', '/message/sendText/cw', { number: CONTACT, text: 'sent by the API' });
    expect(res.status).toBe(201);
    await waitFor(() => cw.messages.find((m) => m.content === 'sent by the API'), 5000, 'API send in Chatwoot');
    const m = cw.messages.find((x) => x.content === 'sent by the API')!;
    expect(m).toMatchObject({ message_type: 'outgoing', source_id: `WAID:${res.body.key.id}` });
    await settle();
    // Chatwoot's webhook for it came back and was ignored: the API send exists once on WhatsApp.
    expect((await findMessages('cw', `${CONTACT}@s.whatsapp.net`)).filter((r) => String(r.message.conversation ?? '').includes('sent by the API'))).toHaveLength(1);
  });

  it('a Chatwoot that drops source_id and posts the webhook before its API answer: the echo is still recognised', async () => {
    cw.keepSourceId = false;
    cw.webhookFirst = true;
    try {
      const res = await server.call('POST', '/message/sendText/cw', { number: CONTACT, text: 'echo race' });
      expect(res.status).toBe(201);
      await waitFor(() => cw.messages.find((m) => m.content === 'echo race'), 5000, 'in Chatwoot');
      await waitFor(() => cw.webhookAnswers.length && cw.messages.find((m) => m.content === 'echo race'), 5000, 'echo answered');
      await settle();
      await new Promise((r) => setTimeout(r, 100));
      expect((await findMessages('cw', `${CONTACT}@s.whatsapp.net`)).filter((r) => String(r.message.conversation ?? '').includes('echo race'))).toHaveLength(1);
    } finally {
      cw.keepSourceId = true;
      cw.webhookFirst = false;
    }
  });

  it('attachments both ways: an inbound image becomes a Chatwoot attachment; an agent image goes to WhatsApp as media', async () => {
    const inbound = await server.call('POST', '/sandbox/inbound/cw', { from: CONTACT, pushName: 'Ana', message: { imageMessage: { mimetype: 'image/png', caption: 'my photo' }, base64: png.toString('base64') } });
    expect(inbound.status).toBe(201);
    const m = await waitFor(() => cw.messages.find((x) => x.source_id === `WAID:${inbound.body.key.id}`), 5000, 'image in Chatwoot');
    expect(m.content).toBe('my photo');
    expect(m.attachments).toHaveLength(1);
    expect(m.attachments[0]!.bytes.equals(png)).toBe(true);
    expect(m.attachments[0]!.mimetype).toBe('image/png');

    const conversation = cw.conversations[0]!;
    await cw.agentReply(conversation.id, 'here is the invoice', { agent: 'Bob', attachments: [{ bytes: png, fileName: 'invoice.png', mimetype: 'image/png', fileType: 'image' }] });
    const sent = await waitFor(async () => (await findMessages('cw', `${CONTACT}@s.whatsapp.net`)).find((r) => r.key.fromMe && r.messageType === 'imageMessage'), 8000, 'image sent to WhatsApp');
    expect(sent.message.imageMessage.caption).toBe('*Bob*\nhere is the invoice');
    expect(sent.message.mediaUrl).toBeTruthy();
    const media = await server.call('POST', '/chat/getBase64FromMediaMessage/cw', { message: { key: { id: sent.key.id } } });
    expect(Buffer.from(media.body.base64, 'base64').length).toBeGreaterThan(0);
    await settle();
    expect(cw.messages.filter((x) => x.source_id === `WAID:${sent.key.id}`)).toHaveLength(0);
  });

  it('the webhook route refuses posts without the secret, with a wrong one, or with another instance token', async () => {
    await connectedSandbox(server, 'cw-other', '5511900000102');
    const other = (await server.call('POST', '/instance/create', { instanceName: 'cw-third', integration: 'SANDBOX' })).body.hash as string;
    const payload = cw.payloadOf(cw.messages.find((m) => m.message_type === 'outgoing')!);
    const hook = new URL(cw.inboxes[0]!.webhook_url);
    for (const [path, key] of [['/chatwoot/webhook/cw', null], ['/chatwoot/webhook/cw?token=wrong', null], ['/chatwoot/webhook/cw', other], ['/chatwoot/webhook/nobody?token=x', null]] as const) {
      const res = await server.call('POST', path, payload, key);
      expect(res.status, path).toBe(401);
      expect(res.body).toEqual({ status: 401, error: 'Unauthorized', response: { message: 'Unauthorized' } });
    }
    const ok = await server.call('POST', `${hook.pathname}${hook.search}`, { event: 'conversation_typing_on' }, null);
    expect(ok.status).toBe(200);
  });

  it('malformed bodies get the upstream 400', async () => {
    for (const body of [{ enabled: 'yes' }, { enabled: true, accountId: 1, token: 2, url: 3, signMsg: 'x', reopenConversation: 'x', conversationPending: 'x' }, { enabled: true, accountId: '1', token: 't', url: cw.url, signMsg: true, reopenConversation: true, conversationPending: false, ignoreJids: 'x' }]) {
      const res = await server.call('POST', '/chatwoot/set/cw', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body).toMatchObject({ status: 400, error: 'Bad Request', response: { message: expect.any(Array) } });
    }
    const badUrl = await server.call('POST', '/chatwoot/set/cw', { enabled: true, accountId: '1', token: 't', url: 'not a url', signMsg: false, reopenConversation: false, conversationPending: false });
    expect(badUrl.body).toEqual({ status: 400, error: 'Bad Request', response: { message: ['url is not valid'] } });
    const noEvent = await server.call('POST', '/chatwoot/webhook/cw', { foo: 1 });
    expect(noEvent.status).toBe(400);
  });
});
