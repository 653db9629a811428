import type { Repositories } from '../../storage/repositories.js';
import { publicView } from '../../domain/messageView.js';
import type { ChatwootEventStore } from './eventStore.js';
import type { ChatwootOutboxRepository, NewOutboxItem } from './outboxRepository.js';
import type { MessageRecord } from './render.js';
import type { ChatwootConfig } from './settings.js';

const PAGE = 500;

/**
 * Import into Chatwoot from what the gateway has stored: the instance's contacts (`importContacts`) and its messages
 * of the last `daysLimitImportMessages` days (`importMessages`), oldest first. They go through the Chatwoot outbox like
 * live messages, so an import interrupted by a restart resumes, and nothing already in Chatwoot is posted again.
 */
export class ChatwootImporter {
  constructor(private readonly repos: Repositories, private readonly outbox: ChatwootOutboxRepository, private readonly store: ChatwootEventStore) {}

  async importAll(config: ChatwootConfig, what: { contacts: boolean; messages: boolean }): Promise<{ contacts: number; messages: number }> {
    let contacts = 0;
    let messages = 0;
    if (what.contacts) {
      const items: NewOutboxItem[] = [];
      for (const c of await this.repos.contacts.find(config.instanceId)) this.store.addContact(items, config, c.remoteJid, c.pushName ?? '');
      await this.outbox.append(items);
      contacts = items.length;
    }
    if (what.messages) {
      const since = Math.floor(Date.now() / 1000 - config.daysLimitImportMessages * 86_400);
      const records: MessageRecord[] = [];
      for (let page = 1; ; page++) {
        const { records: rows } = await this.repos.messages.find({ instanceId: config.instanceId, timestampGte: since, page, pageSize: PAGE });
        records.push(...rows.map((r) => publicView(r) as unknown as MessageRecord));
        if (rows.length < PAGE) break;
      }
      const items: NewOutboxItem[] = [];
      for (const m of records.reverse()) this.store.addMessage(items, config, m);
      await this.outbox.append(items);
      messages = items.length;
    }
    this.store.wake();
    return { contacts, messages };
  }
}
