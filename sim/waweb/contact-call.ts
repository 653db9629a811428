import { randomBytes } from 'node:crypto';
import { unixTimestampSeconds } from 'baileys';
import type { SimContact } from './contact.js';
import type { Device, Registry } from './registry.js';
import type { BinaryNode, StanzaContext } from './types.js';

/** A call a contact placed, and what became of it. */
export interface SimCall {
  id: string;
  from: SimContact;
  to: string;
  video: boolean;
  /** `reject` once a companion rejected it, `terminate` once the contact hung up. */
  state: 'offer' | 'reject' | 'terminate';
}

const now = (): string => `${unixTimestampSeconds()}`;

/** Call signalling between contacts and companions: offers and hang-ups out, rejections in (with the server's ack). */
export class Calls {
  readonly placed = new Map<string, SimCall>();

  constructor(
    private readonly registry: Registry,
    private readonly toCompanion: (device: Device, node: BinaryNode) => Promise<void>,
  ) {}

  private async toUser(to: string, node: BinaryNode): Promise<void> {
    const user = this.registry.find(to);
    for (const d of user ? [...user.devices.values()] : []) if (d.id !== 0) await this.toCompanion(d, node);
  }

  private callNode(c: SimContact, child: BinaryNode): BinaryNode {
    return { tag: 'call', attrs: { from: c.jid, id: randomBytes(8).toString('hex').toUpperCase(), t: now(), notify: c.name }, content: [child] };
  }

  /** `c` calls `to` (a user JID): an `offer` to each of its companions. Returns the call id. */
  async offer(c: SimContact, to: string, video = false): Promise<string> {
    const id = randomBytes(16).toString('hex').toUpperCase();
    this.placed.set(id, { id, from: c, to, video, state: 'offer' });
    const media: BinaryNode[] = [
      { tag: 'audio', attrs: { enc: 'opus', rate: '16000' } },
      ...(video ? [{ tag: 'video', attrs: { enc: 'vp8', orientation: '0' } }] : []),
    ];
    await this.toUser(to, this.callNode(c, { tag: 'offer', attrs: { 'call-id': id, 'call-creator': c.jid }, content: media }));
    return id;
  }

  /** The caller hangs up. */
  async terminate(callId: string): Promise<void> {
    const call = this.placed.get(callId);
    if (!call) throw new Error(`no call ${callId}`);
    call.state = 'terminate';
    await this.toUser(call.to, this.callNode(call.from, { tag: 'terminate', attrs: { 'call-id': callId, 'call-creator': call.from.jid } }));
  }

  /** A companion's `<call>` (its `rejectCall`): recorded, and acked, which its query waits for. */
  async fromCompanion(node: BinaryNode, { conn }: StanzaContext): Promise<void> {
    const child = Array.isArray(node.content) ? node.content[0] : undefined;
    const call = this.placed.get(child?.attrs['call-id'] ?? '');
    if (call && child?.tag === 'reject') call.state = 'reject';
    await conn.send({ tag: 'ack', attrs: { class: 'call', id: node.attrs.id ?? '', from: node.attrs.to ?? '', ...(child ? { type: child.tag } : {}) } });
  }
}
