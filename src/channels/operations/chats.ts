import type { MessageKey } from '../../domain/types.js';

/** The last message of a chat, which WhatsApp wants with every chat modification (archive, unread). */
export interface LastMessageRef {
  key: MessageKey;
  messageTimestamp: number;
}

/** Chat state kept on the network: archive, unread, block lists. */
export interface ChatOps {
  archive(jid: string, archive: boolean, lastMessage: LastMessageRef): Promise<void>;
  markUnread(jid: string, lastMessage: LastMessageRef): Promise<void>;
  updateBlockStatus(jid: string, action: 'block' | 'unblock'): Promise<void>;
}
