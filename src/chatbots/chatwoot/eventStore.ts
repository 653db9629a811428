import type { GatewayEvent } from '../../domain/events.js';
import type { DurableEventStore } from '../../events/commitQueue.js';
import type { Executor } from '../../storage/instanceRepository.js';
import type { ChatwootOutboxRepository, NewOutboxItem } from './outboxRepository.js';
import { chatJidOf, type MessageRecord } from './render.js';
import { ignores, type ChatwootConfig } from './settings.js';

/** The messages Chatwoot must see, queued in the transaction that stores them: committed means queued. */
export class ChatwootEventStore implements DurableEventStore {
  /** Set once the delivery loop exists; told when new rows are committed. */
  wake: () => void = () => undefined;

  constructor(private readonly repo: ChatwootOutboxRepository, private readonly configOf: (instanceId: string) => ChatwootConfig | undefined) {}

  async persist(events: GatewayEvent[], tx: Executor): Promise<(() => void) | void> {
    const items: NewOutboxItem[] = [];
    for (const e of events) {
      const config = this.configOf(e.instanceId);
      if (!config?.enabled) continue;
      if (e.event === 'messages.upsert' || e.event === 'send.message') this.addMessage(items, config, e.data as MessageRecord);
      else if (e.event === 'messages.set' && config.importMessages) {
        const since = Date.now() / 1000 - config.daysLimitImportMessages * 86_400;
        for (const m of e.data as MessageRecord[]) if (Number(m.messageTimestamp) >= since) this.addMessage(items, config, m);
      } else if (e.event === 'contacts.upsert' && Array.isArray(e.data) && config.importContacts) {
        for (const c of e.data as { remoteJid: string; pushName?: string | null }[]) this.addContact(items, config, c.remoteJid, c.pushName ?? '');
      }
    }
    if (!items.length) return;
    await this.repo.append(items, tx);
    return () => this.wake();
  }

  addMessage(items: NewOutboxItem[], config: ChatwootConfig, m: MessageRecord): void {
    if (!m?.key?.remoteJid || !m.key.id) return;
    const jid = chatJidOf(m);
    if (!wanted(config, jid)) return;
    items.push({ instanceId: config.instanceId, dedupeKey: `msg:${m.key.id}`, kind: 'message', remoteJid: jid, payload: m });
  }

  addContact(items: NewOutboxItem[], config: ChatwootConfig, jid: string, name: string): void {
    if (!jid || !wanted(config, jid)) return;
    items.push({ instanceId: config.instanceId, dedupeKey: `contact:${jid}`, kind: 'contact', remoteJid: jid, payload: { remoteJid: jid, pushName: name } });
  }
}

/** Chats that go to Chatwoot: people and groups, not status broadcasts or newsletters, and not the ignored ones. */
function wanted(config: ChatwootConfig, jid: string): boolean {
  return (jid.endsWith('@s.whatsapp.net') || jid.endsWith('@g.us')) && !ignores(config.ignoreJids, jid);
}
