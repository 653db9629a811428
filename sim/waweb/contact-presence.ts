import { getBinaryNodeChild, isJidGroup, unixTimestampSeconds } from 'baileys';
import type { SimContact } from './contact.js';
import type { Device, Registry } from './registry.js';
import type { BinaryNode, StanzaContext } from './types.js';

export type ChatState = 'composing' | 'recording' | 'paused';

const pnUser = (jid: string): string => `${jid.split('@')[0]!.split(':')[0]}@s.whatsapp.net`;

/**
 * Presence and chat states between contacts and companions: `presence type="subscribe"` is
 * answered with the contact's presence and keeps the subscriber informed; chat states go both ways.
 */
export class Presence {
  /** Companion device JIDs subscribed to each contact's presence, by contact phone. */
  private readonly subscribers = new Map<string, Set<string>>();
  private readonly lastSeen = new Map<string, number>();

  constructor(
    private readonly registry: Registry,
    private readonly contactOf: (jid: string) => SimContact | undefined,
    private readonly toCompanion: (device: Device, node: BinaryNode) => Promise<void>,
  ) {}

  private presenceNode(c: SimContact): BinaryNode {
    const attrs: Record<string, string> = { from: c.jid };
    if (c.presence === 'unavailable') Object.assign(attrs, { type: 'unavailable', last: `${this.lastSeen.get(c.phone) ?? unixTimestampSeconds()}` });
    return { tag: 'presence', attrs };
  }

  /** A companion's `<presence>`: a subscription to a contact is answered at once. */
  async fromCompanion(node: BinaryNode, { conn }: StanzaContext): Promise<void> {
    const { type, to } = node.attrs;
    const c = to ? this.contactOf(to) : undefined;
    const device = conn.jid ? this.registry.device(conn.jid) : undefined;
    if (type !== 'subscribe' || !c || !device) return;
    const subs = this.subscribers.get(c.phone) ?? new Set<string>();
    subs.add(device.jid);
    this.subscribers.set(c.phone, subs);
    await this.toCompanion(device, this.presenceNode(c));
  }

  /** A contact goes online or offline: its subscribers hear of it. */
  async set(c: SimContact, presence: 'available' | 'unavailable'): Promise<void> {
    c.presence = presence;
    if (presence === 'unavailable') this.lastSeen.set(c.phone, unixTimestampSeconds());
    for (const jid of this.subscribers.get(c.phone) ?? []) {
      const device = this.registry.device(jid);
      if (device) await this.toCompanion(device, this.presenceNode(c));
    }
  }

  /** A contact types (or records) in a chat with `to`: the companions of `to` (or of the group's `members`) see it. */
  async typing(c: SimContact, to: string, state: ChatState, members: string[] = []): Promise<void> {
    const child: BinaryNode =
      state === 'recording' ? { tag: 'composing', attrs: { media: 'audio' } } : { tag: state, attrs: {} };
    const group = isJidGroup(to);
    const node: BinaryNode = { tag: 'chatstate', attrs: group ? { from: to, participant: c.jid } : { from: c.jid }, content: [child] };
    for (const u of group ? members : [to]) {
      const user = this.registry.find(u);
      for (const d of user ? [...user.devices.values()] : []) if (d.id !== 0) await this.toCompanion(d, node);
    }
  }

  /** A companion's `<chatstate to>`: recorded by the contact it is for. */
  chatstateFromCompanion(node: BinaryNode, { conn }: StanzaContext): void {
    const c = this.contactOf(node.attrs.to ?? '');
    const first = Array.isArray(node.content) ? node.content[0] : undefined;
    if (!c || !first || !conn.jid) return;
    const state = first.tag === 'composing' && getBinaryNodeChild(node, 'composing')?.attrs.media === 'audio' ? 'recording' : first.tag;
    c.chatstates.push({ from: pnUser(conn.jid), state });
  }
}
