import { isGroupJid, jidUser } from '../../domain/jid.js';
import { phoneVariants } from './brazil.js';
import type { ChatwootClient, CwContact, CwConversation } from './client.js';
import type { ChatwootConfig } from './settings.js';

interface Known {
  contactId: number;
  conversationId: number;
}

/**
 * The Chatwoot contact and conversation of each WhatsApp chat: found by phone number (or the group's JID as
 * identifier), created when missing, and reopened or replaced when resolved, as the instance's options say.
 * Lookups of one chat run one at a time, so a burst of messages creates one contact and one conversation.
 */
export class Conversations {
  private readonly known = new Map<string, Known>();
  private readonly running = new Map<string, Promise<number>>();

  /** The conversation id for a chat, creating what is missing. */
  resolve(client: ChatwootClient, config: ChatwootConfig, inboxId: number, remoteJid: string, name: string): Promise<number> {
    const key = `${config.instanceId}|${remoteJid}`;
    const cached = this.known.get(key);
    if (cached) return Promise.resolve(cached.conversationId);
    let run = this.running.get(key);
    if (!run) {
      run = this.lookup(client, config, inboxId, remoteJid, name).then((k) => {
        this.known.set(key, k);
        return k.conversationId;
      });
      this.running.set(key, run);
      void run.catch(() => undefined).finally(() => this.running.delete(key));
    }
    return run;
  }

  /** Finds or creates the contact of a chat (contact import). */
  async contact(client: ChatwootClient, config: ChatwootConfig, inboxId: number, remoteJid: string, name: string): Promise<CwContact> {
    return (await this.findContact(client, config, remoteJid)) ?? this.createContact(client, inboxId, remoteJid, name);
  }

  /** Forgets a conversation (resolved or deleted in Chatwoot): the chat's next message looks again. */
  forgetConversation(instanceId: string, conversationId: number): void {
    for (const [key, k] of this.known) if (key.startsWith(`${instanceId}|`) && k.conversationId === conversationId) this.known.delete(key);
  }

  forgetInstance(instanceId: string): void {
    for (const key of this.known.keys()) if (key.startsWith(`${instanceId}|`)) this.known.delete(key);
  }

  private async lookup(client: ChatwootClient, config: ChatwootConfig, inboxId: number, remoteJid: string, name: string): Promise<Known> {
    const contact = await this.contact(client, config, inboxId, remoteJid, name);
    const mine = (await client.contactConversations(contact.id)).filter((c) => Number(c.inbox_id) === inboxId).sort((a, b) => b.id - a.id);
    const active = mine.find((c) => c.status !== 'resolved');
    if (active) return { contactId: contact.id, conversationId: active.id };
    const wanted = config.conversationPending ? 'pending' : 'open';
    const last: CwConversation | undefined = mine[0];
    if (last && config.reopenConversation) {
      await client.toggleStatus(last.id, wanted);
      return { contactId: contact.id, conversationId: last.id };
    }
    const created = await client.createConversation(contact.id, inboxId, config.conversationPending ? 'pending' : undefined);
    return { contactId: contact.id, conversationId: created.id };
  }

  private async findContact(client: ChatwootClient, config: ChatwootConfig, remoteJid: string): Promise<CwContact | undefined> {
    if (isGroupJid(remoteJid)) return (await client.searchContacts(remoteJid)).find((c) => c.identifier === remoteJid);
    const variants = phoneVariants(jidUser(remoteJid), config.mergeBrazilContacts);
    const phones = new Set(variants.map((v) => `+${v}`));
    for (const digits of variants) {
      const found = (await client.searchContacts(digits)).find((c) => (c.phone_number && phones.has(c.phone_number)) || c.identifier === `${digits}@s.whatsapp.net`);
      if (found) return found;
    }
    return undefined;
  }

  private createContact(client: ChatwootClient, inboxId: number, remoteJid: string, name: string): Promise<CwContact> {
    const group = isGroupJid(remoteJid);
    return client.createContact({ inboxId, name: name || jidUser(remoteJid), identifier: remoteJid, ...(group ? {} : { phoneNumber: `+${jidUser(remoteJid)}` }) });
  }
}
