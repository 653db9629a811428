import type { ChatOps, Presence } from '../channel.js';
import type { LastMessageRef } from '../operations/chats.js';
import type { MessageKey } from '../../domain/types.js';
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

  /** Whether a one-to-one message with this key comes from a contact the phone blocked. */
  blocks(key: MessageKey): boolean {
    return !key.fromMe && !isGroupJid(key.remoteJid) && this.phone.opts.network.directory.isBlocked(this.phone.number, jidUser(key.remoteJid));
  }

  /** Typing, recording, online...: reaches the other sandbox phone of a one-to-one chat unless it blocked us. */
  async presence(presence: Presence, remoteJid?: string): Promise<void> {
    this.phone.assertOpen();
    if (!remoteJid || isGroupJid(remoteJid)) return;
    const { network } = this.phone.opts;
    const peer = network.phone(jidUser(remoteJid));
    if (!peer?.notify || network.directory.isBlocked(peer.number, this.phone.number)) return;
    if ((presence === 'available' || presence === 'unavailable') && !network.directory.showsOnline(this.phone.number, peer.number)) return;
    peer.notify([{ type: 'presence', remoteJid: `${this.phone.number}@s.whatsapp.net`, presence }]).catch(() => undefined);
  }
}
