import { fetch, FormData, type Dispatcher } from 'undici';
import { assertAllowedUrl } from '../../security/addressGuard.js';
import type { GuardOptions } from '../../security/addressGuard.js';

/** A Chatwoot API answer other than 2xx, or no answer. */
export class ChatwootError extends Error {
  constructor(readonly status: number | undefined, message: string) {
    super(message);
  }
}

export interface CwInbox { id: number; name: string }
export interface CwContact { id: number; name?: string; phone_number?: string | null; identifier?: string | null }
export interface CwConversation { id: number; inbox_id: number; status: string }
export interface CwMessage { id: number; content?: string | null; source_id?: string | null; message_type?: number | string }
export interface CwAttachment { data: Buffer; fileName: string; mimetype: string }

export interface NewMessage {
  content: string;
  messageType: 'incoming' | 'outgoing';
  sourceId?: string;
  attachment?: CwAttachment;
  /** A private note: agents see it, the contact does not. */
  private?: boolean;
}

/**
 * Chatwoot's application API for one account (`/api/v1/accounts/{id}/...`, `api_access_token` header). The URL is the
 * tenant's: every connection goes through the address guard.
 */
export class ChatwootClient {
  constructor(private readonly base: string, private readonly accountId: string, private readonly token: string, private readonly dispatcher: Dispatcher, private readonly guard: GuardOptions, private readonly timeoutMs = 20_000) {}

  async inboxes(): Promise<CwInbox[]> {
    return ((await this.call('GET', '/inboxes')) as { payload?: CwInbox[] }).payload ?? [];
  }

  createInbox(name: string, webhookUrl: string): Promise<CwInbox> {
    return this.call('POST', '/inboxes', { name, channel: { type: 'api', webhook_url: webhookUrl } }) as Promise<CwInbox>;
  }

  async searchContacts(q: string): Promise<CwContact[]> {
    return ((await this.call('GET', `/contacts/search?q=${encodeURIComponent(q)}`)) as { payload?: CwContact[] }).payload ?? [];
  }

  async createContact(c: { inboxId: number; name: string; phoneNumber?: string; identifier: string; avatarUrl?: string }): Promise<CwContact> {
    const body = { inbox_id: c.inboxId, name: c.name, identifier: c.identifier, ...(c.phoneNumber ? { phone_number: c.phoneNumber } : {}), ...(c.avatarUrl ? { avatar_url: c.avatarUrl } : {}) };
    const answer = (await this.call('POST', '/contacts', body)) as { payload?: { contact?: CwContact } & CwContact };
    const contact = answer.payload?.contact ?? answer.payload;
    if (!contact?.id) throw new ChatwootError(undefined, 'Chatwoot created no contact');
    return contact;
  }

  async contactConversations(contactId: number): Promise<CwConversation[]> {
    return ((await this.call('GET', `/contacts/${contactId}/conversations`)) as { payload?: CwConversation[] }).payload ?? [];
  }

  createConversation(contactId: number, inboxId: number, status?: 'pending' | 'open'): Promise<CwConversation> {
    return this.call('POST', '/conversations', { contact_id: String(contactId), inbox_id: String(inboxId), ...(status ? { status } : {}) }) as Promise<CwConversation>;
  }

  async toggleStatus(conversationId: number, status: 'open' | 'pending' | 'resolved'): Promise<void> {
    await this.call('POST', `/conversations/${conversationId}/toggle_status`, { status });
  }

  async messages(conversationId: number): Promise<CwMessage[]> {
    return ((await this.call('GET', `/conversations/${conversationId}/messages`)) as { payload?: CwMessage[] }).payload ?? [];
  }

  /** A message in a conversation; with an attachment it goes as multipart `attachments[]`, as Chatwoot takes files. */
  createMessage(conversationId: number, m: NewMessage): Promise<CwMessage> {
    const path = `/conversations/${conversationId}/messages`;
    if (!m.attachment) return this.call('POST', path, { content: m.content, message_type: m.messageType, private: m.private ?? false, ...(m.sourceId ? { source_id: m.sourceId } : {}) }) as Promise<CwMessage>;
    const form = new FormData();
    if (m.content) form.set('content', m.content);
    form.set('message_type', m.messageType);
    form.set('private', 'false');
    if (m.sourceId) form.set('source_id', m.sourceId);
    form.append('attachments[]', new Blob([new Uint8Array(m.attachment.data)], { type: m.attachment.mimetype }), m.attachment.fileName);
    return this.call('POST', path, form) as Promise<CwMessage>;
  }

  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    const url = `${this.base}/api/v1/accounts/${encodeURIComponent(this.accountId)}${path}`;
    await assertAllowedUrl(url, this.guard);
    const headers: Record<string, string> = { api_access_token: this.token, accept: 'application/json' };
    let payload: string | FormData | undefined;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      payload = JSON.stringify(body);
      headers['content-type'] = 'application/json';
    }
    let res;
    try {
      res = await fetch(url, { method, headers, body: payload, dispatcher: this.dispatcher, signal: AbortSignal.timeout(this.timeoutMs), redirect: 'error' });
    } catch (err) {
      throw new ChatwootError(undefined, `Chatwoot unreachable: ${(err as Error).message}`);
    }
    const text = await res.text();
    if (!res.ok) throw new ChatwootError(res.status, `Chatwoot answered ${res.status} to ${method} ${path}: ${text.slice(0, 200)}`);
    try {
      return text ? JSON.parse(text) : {};
    } catch {
      throw new ChatwootError(res.status, `Chatwoot answered ${method} ${path} with something that is not JSON`);
    }
  }
}
