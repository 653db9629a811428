import type { ChatOps, Presence } from '../channel.js';
import type { LastMessageRef } from '../operations/chats.js';
import type { MessageKey } from '../../domain/types.js';
import type { InboundMessage } from '../events.js';
import { isGroupJid, jidUser } from '../../domain/jid.js';
import type { SandboxChannel } from './channel.js';
import { savePhoneState } from './phoneState.js';

/** The phone's chat state (archive, unread mark, block list) and its presence, as peers see it. */
export class SandboxChats implements ChatOps {
  constructor(private readonly phone: SandboxChannel) {}

  private get me() {
    return this.phone.opts.network.directory.entry(this.phone.number);
  }

  async archive(jid: string, archive: boolean, _lastMessage: LastMessageRef): Promise<void> {
    this.phone.assertOpen();
    if (archive) this.me.archived.add(jid);
    else this.me.archived.delete(jid);
    await savePhoneState(this.phone);
  }

  async markUnread(jid: string, _lastMessage: LastMessageRef): Promise<void> {
    this.phone.assertOpen();
    this.me.markedUnread.add(jid);
    await savePhoneState(this.phone);
  }

  async updateBlockStatus(jid: string, action: 'block' | 'unblock'): Promise<void> {
    this.phone.assertOpen();
    this.phone.opts.network.directory.setBlocked(this.phone.number, jidUser(jid), action === 'block');
    await savePhoneState(this.phone);
  }

  /** The archived chats these arriving messages (from others) land in. */
  archivedChatsOf(messages: InboundMessage[]): string[] {
    const archived = this.phone.opts.network.directory.entry(this.phone.number).archived;
    return [...new Set(messages.filter((m) => !m.key.fromMe && archived.has(m.key.remoteJid)).map((m) => m.key.remoteJid))];
  }

  unarchived(jids: string[]): void {
    if (!jids.length) return;
    for (const jid of jids) this.me.archived.delete(jid);
    savePhoneState(this.phone).catch(() => undefined);
  }

  /** Whether a one-to-one message with this key comes from a contact the phone blocked. */
  blocks(key: MessageKey): boolean {
    return !key.fromMe && !isGroupJid(key.remoteJid) && this.phone.opts.network.directory.isBlocked(this.phone.number, jidUser(key.remoteJid));
  }

  /** Typing, recording, online...: reaches the other phone of a chat unless it blocked us, or every other member of a group. */
  async presence(presence: Presence, remoteJid?: string): Promise<void> {
    this.phone.assertOpen();
    if (!remoteJid) return;
    if (isGroupJid(remoteJid)) return this.groupPresence(presence, remoteJid);
    const { network } = this.phone.opts;
    const peer = network.phone(jidUser(remoteJid));
    if (!peer?.notify || network.directory.isBlocked(peer.number, this.phone.number)) return;
    if ((presence === 'available' || presence === 'unavailable') && !network.directory.showsOnline(this.phone.number, peer.number)) return;
    peer.notify([{ type: 'presence', remoteJid: `${this.phone.number}@s.whatsapp.net`, presence }]).catch(() => undefined);
  }

  /** In a group the presence names the group and the member showing it (Baileys' presences keyed by participant). */
  private groupPresence(presence: Presence, groupJid: string): void {
    const { network } = this.phone.opts;
    const group = network.groups.of(this.phone.number).find((g) => g.id === groupJid);
    if (!group) return;
    const participant = `${this.phone.number}@s.whatsapp.net`;
    for (const number of group.members.keys()) {
      const peer = number === this.phone.number ? undefined : network.phone(number);
      peer?.notify?.([{ type: 'presence', remoteJid: groupJid, presence, participant }]).catch(() => undefined);
    }
  }
}
