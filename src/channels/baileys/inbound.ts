import { getDevice, WAMessageStubType, type BaileysEventMap, type Chat, type Contact, type WAMessage, type WAMessageKey } from 'baileys';
import type { AckStatus, MessageKey } from '../../domain/types.js';
import type { ChannelEvent, ChatInfo, ContactInfo, InboundMessage, MessageUpdate } from '../events.js';
import type { Presence } from '../channel.js';
import type { LidMap } from './lidMap.js';
import { messageToJson, plainJson } from './protoJson.js';
import type { PollVoteReader } from './pollVotes.js';

/** The library's message statuses (proto.WebMessageInfo.Status) by number. */
const ACKS: AckStatus[] = ['ERROR', 'PENDING', 'SERVER_ACK', 'DELIVERY_ACK', 'READ', 'PLAYED'];
const PARTICIPANT_ACTIONS = new Set(['add', 'remove', 'promote', 'demote']);

export type BaileysEvents = Partial<BaileysEventMap>;

/** A message the library could not decrypt (it asks the sender to retry by itself): counted, never stored. */
export interface DecryptFailure {
  key: WAMessageKey;
  reason: string;
}

/**
 * Turns one flush of the library's events into the gateway's channel events, in the library's order, with every JID a
 * phone number where the LID map knows it (the LID kept beside it: remoteJidAlt, participantAlt).
 */
export class InboundMapper {
  constructor(
    private readonly lids: LidMap,
    private readonly onDecryptFailure: (f: DecryptFailure) => void,
    private readonly polls?: PollVoteReader,
  ) {}

  async map(ev: BaileysEvents): Promise<ChannelEvent[]> {
    this.learn(ev);
    await this.lids.resolve(this.jidsOf(ev));
    const out: ChannelEvent[] = [];
    // New messages first: their chats and contacts are created with them (chats.upsert, contacts.upsert), and the
    // library's own chat and contact updates of the same flush then update what exists.
    const upsert = ev['messages.upsert'];
    if (upsert) {
      const messages = this.messages(upsert.messages);
      if (messages.length) out.push({ type: 'messages', mode: upsert.type === 'notify' ? 'live' : 'append', messages });
    }
    const history = ev['messaging-history.set'];
    if (history) {
      if (history.contacts.length) out.push({ type: 'contacts', action: 'upsert', contacts: this.contacts(history.contacts) });
      if (history.chats.length) out.push({ type: 'chats', action: 'upsert', chats: history.chats.map((c) => this.chat(c)) });
      const messages = this.messages(history.messages);
      out.push({ type: 'messages', mode: 'history', messages, ...(history.progress != null ? { progress: history.progress } : {}), ...(history.isLatest !== undefined ? { isLatest: history.isLatest } : {}) });
    }
    if (ev['contacts.upsert']?.length) out.push({ type: 'contacts', action: 'upsert', contacts: this.contacts(ev['contacts.upsert']) });
    if (ev['contacts.update']?.length) out.push({ type: 'contacts', action: 'update', contacts: this.contacts(ev['contacts.update'].filter((c): c is Contact => !!c.id)) });
    if (ev['chats.upsert']?.length) out.push({ type: 'chats', action: 'upsert', chats: ev['chats.upsert'].map((c) => this.chat(c)) });
    if (ev['chats.update']?.length) out.push({ type: 'chats', action: 'update', chats: ev['chats.update'].filter((c) => c.id).map((c) => this.chat(c as Chat)) });
    if (ev['chats.delete']?.length) out.push({ type: 'chats', action: 'delete', chats: ev['chats.delete'].map((id) => ({ remoteJid: this.lids.pnOf(id) })) });
    const updates = [...this.updates(ev), ...this.receipts(ev), ...this.deletes(ev), ...(await this.pollVotes(ev))];
    if (updates.length) out.push({ type: 'message.updates', updates });
    for (const [id, p] of Object.entries(ev['presence.update']?.presences ?? {})) {
      const chat = this.lids.pnOf(ev['presence.update']!.id);
      const participant = this.lids.pnOf(id);
      out.push({ type: 'presence', remoteJid: chat, presence: p.lastKnownPresence as Presence, ...(participant !== chat ? { participant } : {}), ...(p.lastSeen ? { lastSeen: p.lastSeen } : {}) });
    }
    if (ev['groups.upsert']?.length) out.push({ type: 'groups', action: 'upsert', groups: ev['groups.upsert'].map((g) => plainJson({ ...g })) });
    if (ev['groups.update']?.length) out.push({ type: 'groups', action: 'update', groups: ev['groups.update'].filter((g) => g.id).map((g) => plainJson({ ...g, id: g.id! })) });
    const gp = ev['group-participants.update'];
    if (gp && PARTICIPANT_ACTIONS.has(gp.action)) {
      out.push({ type: 'group.participants', groupJid: gp.id, action: gp.action as 'add', participants: gp.participants.map((p) => this.lids.pnOf(p.phoneNumber ?? p.id)), ...(gp.author ? { author: this.lids.pnOf(gp.authorPn ?? gp.author) } : {}) });
    }
    for (const call of ev.call ?? []) {
      out.push({ type: 'call', call: { id: call.id, from: this.lids.pnOf(call.callerPn ?? call.from), chatId: this.lids.pnOf(call.chatId), date: call.date instanceof Date ? call.date.toISOString() : call.date, isVideo: !!call.isVideo, isGroup: !!call.isGroup, ...(call.groupJid ? { groupJid: call.groupJid } : {}), status: call.status, offline: call.offline } });
    }
    const label = ev['labels.edit'];
    if (label) out.push({ type: 'labels', labels: [{ id: label.id, name: label.name, color: label.color, deleted: label.deleted, ...(label.predefinedId ? { predefinedId: String(label.predefinedId) } : {}) }] });
    const assoc = ev['labels.association'];
    if (assoc && 'chatId' in assoc.association) out.push({ type: 'label.association', action: assoc.type, chatId: this.lids.pnOf(assoc.association.chatId), labelId: assoc.association.labelId });
    return out;
  }

  /** A message key with phone-number JIDs where known, and the other form beside each. */
  key(k: WAMessageKey): MessageKey {
    const remoteJid = this.lids.pnOf(k.remoteJid ?? '');
    const key: MessageKey = { remoteJid, fromMe: !!k.fromMe, id: k.id ?? '' };
    const remoteAlt = remoteJid !== k.remoteJid ? k.remoteJid : k.remoteJidAlt;
    if (remoteAlt) key.remoteJidAlt = remoteAlt;
    if (k.participant) {
      key.participant = this.lids.pnOf(k.participant);
      const alt = key.participant !== k.participant ? k.participant : k.participantAlt;
      if (alt) key.participantAlt = alt;
    }
    if (k.addressingMode) key.addressingMode = k.addressingMode;
    return key;
  }

  private messages(list: WAMessage[]): InboundMessage[] {
    const out: InboundMessage[] = [];
    for (const m of list) {
      if (m.messageStubType === WAMessageStubType.CIPHERTEXT) {
        this.onDecryptFailure({ key: m.key, reason: m.messageStubParameters?.[0] ?? 'unknown' });
        continue;
      }
      // Edits and revokes come again as messages.update; a message without content (a stub) is not a message.
      // A poll vote is an update of the poll (pollVotes), not a message.
      if (!m.message || m.message.protocolMessage || m.message.pollUpdateMessage || !m.key.id) continue;
      const message = messageToJson(m.message);
      if (!Object.keys(message).some((k) => k !== 'messageContextInfo' && k !== 'senderKeyDistributionMessage')) continue;
      out.push({ key: this.key(m.key), pushName: m.pushName ?? null, message, messageTimestamp: Number(m.messageTimestamp ?? 0), source: getDevice(m.key.id) });
    }
    return out;
  }

  private updates(ev: BaileysEvents): MessageUpdate[] {
    const out: MessageUpdate[] = [];
    for (const { key: k, update } of ev['messages.update'] ?? []) {
      const key = this.key(k);
      const at = update.messageTimestamp ? Number(update.messageTimestamp) : undefined;
      const edited = update.message?.editedMessage?.message ?? update.message?.protocolMessage?.editedMessage;
      if (edited) out.push({ type: 'edit', key, message: messageToJson(edited), ...(at ? { at } : {}) });
      else if (update.messageStubType === WAMessageStubType.REVOKE || (update.message === null && update.messageStubType !== undefined)) out.push({ type: 'revoke', key, ...(at ? { at } : {}) });
      // A status post's viewers' receipts are not acks of the post: the server's ack is.
      if (k.remoteJid === 'status@broadcast' && (update.status ?? 0) > 2) continue;
      if (typeof update.status === 'number' && ACKS[update.status]) out.push({ type: 'ack', key, status: ACKS[update.status]!, at: at ?? Math.floor(Date.now() / 1000) });
    }
    return out;
  }

  /** Contacts' poll votes, decrypted, as the poll's pollVote updates (voters by phone number where known). */
  private async pollVotes(ev: BaileysEvents): Promise<MessageUpdate[]> {
    if (!this.polls) return [];
    const votes = await this.polls.read([...(ev['messages.upsert']?.messages ?? [])], ev['messages.update'] ?? []);
    return votes.map((v) => ({ type: 'pollVote' as const, key: this.key(v.pollKey), votes: [{ voter: this.lids.pnOf(v.voter), options: v.options }], ...(v.at ? { at: v.at } : {}) }));
  }

  /** Group receipts: one per member who got (or read, or played) the message. */
  private receipts(ev: BaileysEvents): MessageUpdate[] {
    return (ev['message-receipt.update'] ?? []).filter((r) => r.key.remoteJid !== 'status@broadcast').map(({ key: k, receipt }) => {
      const status: AckStatus = receipt.playedTimestamp ? 'PLAYED' : receipt.readTimestamp ? 'READ' : 'DELIVERY_ACK';
      const at = Number(receipt.playedTimestamp ?? receipt.readTimestamp ?? receipt.receiptTimestamp ?? 0) || undefined;
      return { type: 'ack', key: this.key(k), status, ...(receipt.userJid ? { participant: this.lids.pnOf(receipt.userJid) } : {}), ...(at ? { at } : {}) };
    });
  }

  private deletes(ev: BaileysEvents): MessageUpdate[] {
    const d = ev['messages.delete'];
    return d && 'keys' in d ? d.keys.map((k) => ({ type: 'revoke' as const, key: this.key(k) })) : [];
  }

  private chat(c: Partial<Chat> & { id?: string | null }): ChatInfo {
    const remoteJid = this.lids.pnOf(c.id ?? '');
    return { remoteJid, ...(c.name ? { name: c.name } : {}), ...(typeof c.unreadCount === 'number' ? { unreadMessages: c.unreadCount } : {}), ...(typeof c.archived === 'boolean' ? { archived: c.archived } : {}) };
  }

  private contacts(list: Contact[]): ContactInfo[] {
    return list.map((c) => ({ remoteJid: this.lids.pnOf(c.phoneNumber ?? c.id), pushName: c.notify ?? c.name ?? c.verifiedName ?? null, ...(c.imgUrl && c.imgUrl !== 'changed' ? { profilePicUrl: c.imgUrl } : {}) }));
  }

  /** Every pair the events carry goes into the map before anything is mapped. */
  private learn(ev: BaileysEvents): void {
    const keys: WAMessageKey[] = [...(ev['messages.upsert']?.messages ?? []), ...(ev['messaging-history.set']?.messages ?? [])].map((m) => m.key);
    keys.push(...(ev['messages.update'] ?? []).map((u) => u.key));
    for (const k of keys) {
      this.lids.learn(k.remoteJid, k.remoteJidAlt);
      this.lids.learn(k.participant, k.participantAlt);
    }
    for (const c of [...(ev['contacts.upsert'] ?? []), ...(ev['contacts.update'] ?? []), ...(ev['messaging-history.set']?.contacts ?? [])]) {
      this.lids.learn(c.lid ?? c.id, c.phoneNumber ?? c.id);
    }
    for (const m of ev['messaging-history.set']?.lidPnMappings ?? []) this.lids.learn(m.lid, m.pn);
    const mapping = ev['lid-mapping.update'];
    if (mapping) this.lids.learn(mapping.lid, mapping.pn);
    for (const p of ev['group-participants.update']?.participants ?? []) this.lids.learn(p.lid ?? p.id, p.phoneNumber ?? p.id);
    for (const g of ev['groups.upsert'] ?? []) for (const p of g.participants) this.lids.learn(p.lid ?? p.id, p.phoneNumber ?? p.id);
  }

  private jidsOf(ev: BaileysEvents): string[] {
    const keys = [...(ev['messages.upsert']?.messages ?? []), ...(ev['messaging-history.set']?.messages ?? [])].map((m) => m.key);
    keys.push(...(ev['messages.update'] ?? []).map((u) => u.key), ...(ev['message-receipt.update'] ?? []).map((u) => u.key));
    return keys.flatMap((k) => [k.remoteJid, k.participant]).filter((j): j is string => !!j);
  }
}

