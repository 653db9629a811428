import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local Chatwoot on 127.0.0.1 speaking the application API the gateway uses (`/api/v1/accounts/{id}/inboxes`,
 * `contacts`, `contacts/search`, `contacts/{id}/conversations`, `conversations`, `conversations/{id}/toggle_status`,
 * `conversations/{id}/messages` as JSON or multipart `attachments[]`), authenticated by the `api_access_token`
 * header, serving attachments at their `data_url`, and posting Chatwoot's `message_created` webhook payload to the
 * inbox's `webhook_url` for every message created, as an API-channel inbox does.
 */
export interface FakeAttachment { id: number; file_type: string; extension: string; data_url: string; thumb_url: string; file_size: number; bytes: Buffer; mimetype: string; fileName: string }
export interface FakeMessage { id: number; conversation_id: number; content: string | null; message_type: 'incoming' | 'outgoing'; private: boolean; source_id: string | null; sender: Record<string, unknown>; attachments: FakeAttachment[]; created_at: number }
export interface FakeContact { id: number; name: string; phone_number: string | null; identifier: string | null; inbox_id: number }
export interface FakeConversation { id: number; inbox_id: number; contact_id: number; status: 'open' | 'pending' | 'resolved' }
export interface FakeInbox { id: number; name: string; webhook_url: string }

export class FakeChatwoot {
  readonly inboxes: FakeInbox[] = [];
  readonly contacts: FakeContact[] = [];
  readonly conversations: FakeConversation[] = [];
  readonly messages: FakeMessage[] = [];
  readonly webhookAnswers: { status: number; body: unknown }[] = [];
  readonly requests: { method: string; path: string; token?: string }[] = [];
  /** Scripted failures: a status for a request (undefined: serve it); `afterStore` answers the status after storing; `delayMs` answers late. */
  fail: (method: string, path: string) => { status?: number; afterStore?: boolean; delayMs?: number } | undefined = () => undefined;
  /** false: behave like a Chatwoot that drops the API's source_id. */
  keepSourceId = true;
  /** true: post a created message's webhook before answering the API request that created it. */
  webhookFirst = false;
  url = '';
  private server!: Server;
  private seq = 100;

  constructor(readonly accountId = '1', readonly token = 'cw-user-token') {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res).catch((err) => this.send(res, 500, { error: String(err) })));
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  messagesOf(conversationId: number): FakeMessage[] {
    return this.messages.filter((m) => m.conversation_id === conversationId);
  }

  /** An agent writes in a conversation: the message is stored and Chatwoot posts message_created (outgoing) to the inbox webhook. */
  async agentReply(conversationId: number, content: string, options: { agent?: string; attachments?: { bytes: Buffer; fileName: string; mimetype: string; fileType: string }[]; private?: boolean } = {}): Promise<FakeMessage> {
    const m = this.store(conversationId, { content, message_type: 'outgoing', private: options.private ?? false, source_id: null, sender: { id: 1, name: options.agent ?? 'Agent Smith', available_name: options.agent ?? 'Agent Smith', type: 'user' } });
    for (const a of options.attachments ?? []) m.attachments.push(this.attachment(m, a.bytes, a.fileName, a.mimetype, a.fileType));
    await this.postWebhook(m);
    return m;
  }

  /** Posts a message's webhook again (Chatwoot retrying, or a proxy repeating it). */
  repost(m: FakeMessage): Promise<void> {
    return this.postWebhook(m);
  }

  payloadOf(m: FakeMessage): Record<string, unknown> {
    const conversation = this.conversations.find((c) => c.id === m.conversation_id)!;
    const contact = this.contacts.find((c) => c.id === conversation.contact_id)!;
    const inbox = this.inboxes.find((i) => i.id === conversation.inbox_id)!;
    return {
      event: 'message_created', id: m.id, content: m.content, created_at: new Date(m.created_at * 1000).toISOString(), message_type: m.message_type, content_type: 'text', content_attributes: {},
      source_id: m.source_id, private: m.private, sender: m.sender, account: { id: Number(this.accountId), name: 'Acme' }, inbox: { id: inbox.id, name: inbox.name },
      conversation: {
        additional_attributes: {}, can_reply: true, channel: 'Channel::Api', id: conversation.id, inbox_id: inbox.id, status: conversation.status, labels: [],
        contact_inbox: { id: contact.id, contact_id: contact.id, inbox_id: inbox.id, source_id: `src-${contact.id}` },
        meta: { sender: { id: contact.id, name: contact.name, phone_number: contact.phone_number, identifier: contact.identifier, type: 'contact', additional_attributes: {} }, assignee: null, hmac_verified: false },
      },
      attachments: m.attachments.map(({ bytes: _b, mimetype: _m, fileName: _f, ...a }) => ({ ...a, message_id: m.id, account_id: Number(this.accountId) })),
    };
  }

  private async postWebhook(m: FakeMessage): Promise<void> {
    const conversation = this.conversations.find((c) => c.id === m.conversation_id)!;
    const inbox = this.inboxes.find((i) => i.id === conversation.inbox_id)!;
    if (!inbox.webhook_url) return;
    try {
      const res = await fetch(inbox.webhook_url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(this.payloadOf(m)) });
      const text = await res.text();
      this.webhookAnswers.push({ status: res.status, body: text ? JSON.parse(text) : undefined });
    } catch (err) {
      this.webhookAnswers.push({ status: 0, body: String(err) });
    }
  }

  private store(conversationId: number, m: Omit<FakeMessage, 'id' | 'conversation_id' | 'attachments' | 'created_at'>): FakeMessage {
    const message: FakeMessage = { id: ++this.seq, conversation_id: conversationId, attachments: [], created_at: Math.floor(Date.now() / 1000), ...m };
    this.messages.push(message);
    return message;
  }

  private attachment(m: FakeMessage, bytes: Buffer, fileName: string, mimetype: string, fileType: string): FakeAttachment {
    const id = ++this.seq;
    const extension = fileName.split('.').pop() ?? '';
    const data_url = `${this.url}/rails/active_storage/blobs/${id}/${encodeURIComponent(fileName)}`;
    return { id, file_type: fileType, extension, data_url, thumb_url: data_url, file_size: bytes.length, bytes, mimetype, fileName };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', this.url);
    const method = req.method ?? 'GET';
    const blob = /^\/rails\/active_storage\/blobs\/(\d+)\//.exec(url.pathname);
    if (blob) {
      const a = this.messages.flatMap((m) => m.attachments).find((x) => x.id === Number(blob[1]));
      if (!a) return this.send(res, 404, { error: 'not found' });
      res.writeHead(200, { 'content-type': a.mimetype, 'content-length': a.bytes.length });
      res.end(a.bytes);
      return;
    }
    const token = req.headers.api_access_token as string | undefined;
    this.requests.push({ method, path: url.pathname + url.search, token });
    const api = new RegExp(`^/api/v1/accounts/${this.accountId}(/.*)$`).exec(url.pathname);
    if (!api) return this.send(res, 404, { error: 'Resource could not be found' });
    if (token !== this.token) return this.send(res, 401, { errors: ['Invalid Access Token'] });
    const path = api[1]!;
    const failure = this.fail(method, path);
    if (failure?.delayMs) await new Promise((r) => setTimeout(r, failure.delayMs));
    if (failure?.status && !failure.afterStore) return this.send(res, failure.status, { error: 'scripted failure' });
    const answer = await this.route(method, path, url, req.headers['content-type'] ?? '', raw);
    if (failure?.status && failure.afterStore) return this.send(res, failure.status, { error: 'scripted failure after store' });
    this.send(res, answer[0], answer[1]);
  }

  private async route(method: string, path: string, url: URL, contentType: string, raw: Buffer): Promise<[number, unknown]> {
    const json = () => (raw.length && contentType.includes('json') ? JSON.parse(raw.toString('utf8')) : {});
    let m: RegExpExecArray | null;
    if (method === 'GET' && path === '/inboxes') return [200, { payload: this.inboxes.map((i) => ({ id: i.id, name: i.name, channel_type: 'Channel::Api', webhook_url: i.webhook_url })) }];
    if (method === 'POST' && path === '/inboxes') {
      const b = json();
      if (!b.name || b.channel?.type !== 'api') return [422, { message: 'Name and an api channel are required' }];
      const inbox = { id: ++this.seq, name: b.name, webhook_url: b.channel.webhook_url ?? '' };
      this.inboxes.push(inbox);
      return [200, { id: inbox.id, name: inbox.name, channel_type: 'Channel::Api', webhook_url: inbox.webhook_url }];
    }
    if (method === 'GET' && path === '/contacts/search') {
      const q = (url.searchParams.get('q') ?? '').toLowerCase();
      const found = this.contacts.filter((c) => [c.name, c.phone_number, c.identifier].some((v) => v && v.toLowerCase().includes(q)));
      return [200, { meta: { count: found.length, current_page: 1 }, payload: found }];
    }
    if (method === 'POST' && path === '/contacts') {
      const b = json();
      if (b.phone_number && this.contacts.some((c) => c.phone_number === b.phone_number)) return [422, { message: 'Phone number has already been taken' }];
      if (b.identifier && this.contacts.some((c) => c.identifier === b.identifier)) return [422, { message: 'Identifier has already been taken' }];
      const contact: FakeContact = { id: ++this.seq, name: b.name ?? '', phone_number: b.phone_number ?? null, identifier: b.identifier ?? null, inbox_id: Number(b.inbox_id) };
      this.contacts.push(contact);
      return [200, { payload: { contact, contact_inbox: { inbox: { id: contact.inbox_id }, source_id: `src-${contact.id}` } } }];
    }
    if (method === 'GET' && (m = /^\/contacts\/(\d+)\/conversations$/.exec(path))) {
      return [200, { payload: this.conversations.filter((c) => c.contact_id === Number(m![1])) }];
    }
    if (method === 'POST' && path === '/conversations') {
      const b = json();
      const contact = this.contacts.find((c) => c.id === Number(b.contact_id));
      if (!contact || !this.inboxes.some((i) => i.id === Number(b.inbox_id))) return [404, { error: 'Resource could not be found' }];
      const conversation: FakeConversation = { id: ++this.seq, inbox_id: Number(b.inbox_id), contact_id: contact.id, status: b.status === 'pending' ? 'pending' : 'open' };
      this.conversations.push(conversation);
      return [200, conversation];
    }
    if (method === 'POST' && (m = /^\/conversations\/(\d+)\/toggle_status$/.exec(path))) {
      const c = this.conversations.find((x) => x.id === Number(m![1]));
      if (!c) return [404, { error: 'Resource could not be found' }];
      c.status = json().status;
      return [200, { meta: {}, payload: { success: true, current_status: c.status, conversation_id: c.id } }];
    }
    if ((m = /^\/conversations\/(\d+)\/messages$/.exec(path))) {
      const conversation = this.conversations.find((x) => x.id === Number(m![1]));
      if (!conversation) return [404, { error: 'Resource could not be found' }];
      if (method === 'GET') return [200, { meta: {}, payload: this.messagesOf(conversation.id).map((x) => this.view(x)) }];
      if (method !== 'POST') return [404, {}];
      let fields: Record<string, unknown>;
      const files: { bytes: Buffer; fileName: string; mimetype: string }[] = [];
      if (contentType.startsWith('multipart/form-data')) {
        const form = await new Request('http://x/', { method: 'POST', headers: { 'content-type': contentType }, body: new Uint8Array(raw) }).formData();
        fields = {};
        for (const [k, v] of form.entries()) {
          if (typeof v === 'string') fields[k] = v;
          else if (k === 'attachments[]') files.push({ bytes: Buffer.from(await v.arrayBuffer()), fileName: v.name, mimetype: v.type });
        }
      } else fields = json();
      const type = fields.message_type === 'outgoing' ? 'outgoing' : 'incoming';
      const message = this.store(conversation.id, { content: (fields.content as string) ?? null, message_type: type, private: fields.private === true || fields.private === 'true', source_id: (fields.source_id as string) ?? null, sender: type === 'incoming' ? { type: 'contact', id: conversation.contact_id } : { type: 'user', id: 99, name: 'API' } });
      for (const f of files) message.attachments.push(this.attachment(message, f.bytes, f.fileName, f.mimetype, f.mimetype.startsWith('image/') ? 'image' : f.mimetype.startsWith('audio/') ? 'audio' : f.mimetype.startsWith('video/') ? 'video' : 'file'));
      if (!this.keepSourceId) message.source_id = null;
      // Chatwoot tells the API inbox's webhook about every message, the ones the API created included.
      if (this.webhookFirst) {
        void this.postWebhook(message);
        await new Promise((r) => setTimeout(r, 50));
      } else setImmediate(() => void this.postWebhook(message));
      return [200, this.view(message)];
    }
    return [404, { error: 'Resource could not be found' }];
  }

  private view(m: FakeMessage): Record<string, unknown> {
    return { id: m.id, content: m.content, message_type: m.message_type === 'incoming' ? 0 : 1, private: m.private, source_id: m.source_id, conversation_id: m.conversation_id, created_at: m.created_at, attachments: m.attachments.map(({ bytes: _b, ...a }) => a) };
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  }
}
