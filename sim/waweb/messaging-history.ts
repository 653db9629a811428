import { deflateSync } from 'node:zlib';
import { generateMessageIDV2, proto } from 'baileys';

/** A chat the phone already has when a companion links: its messages, oldest first. */
export interface HistoryChat {
  /** The chat's JID (a contact's PN or LID JID, or a group). */
  jid: string;
  name?: string;
  /** For a PN chat, the contact's LID JID (it becomes a LID mapping in the library). */
  lidJid?: string;
  messages: { id?: string; text: string; fromMe: boolean; t: number; participant?: string }[];
}

/** The inline INITIAL_BOOTSTRAP the phone sends a new companion, with `chats` in it. */
export const historyNotification = (chats: HistoryChat[]): proto.IMessage => {
  const syncType = proto.HistorySync.HistorySyncType.INITIAL_BOOTSTRAP;
  const conversations = chats.map((c) => ({
    id: c.jid,
    ...(c.name ? { name: c.name } : {}),
    ...(c.lidJid ? { lidJid: c.lidJid } : {}),
    messages: c.messages.map((m) => ({
      message: {
        key: { remoteJid: c.jid, fromMe: m.fromMe, id: m.id ?? generateMessageIDV2(), ...(m.participant ? { participant: m.participant } : {}) },
        message: { conversation: m.text },
        messageTimestamp: m.t,
      },
    })),
  }));
  const inline = deflateSync(proto.HistorySync.encode({ syncType, conversations, progress: 100 }).finish());
  return {
    protocolMessage: {
      type: proto.Message.ProtocolMessage.Type.HISTORY_SYNC_NOTIFICATION,
      historySyncNotification: { syncType, progress: 100, initialHistBootstrapInlinePayload: inline },
    },
  };
};
