import { randomBytes } from 'node:crypto';
import { generateMessageIDV2, getBinaryNodeChild, getBinaryNodeChildren, isJidGroup, isLidUser, proto, unixTimestampSeconds } from 'baileys';
import { SimContact, type ContactServer, type Enc, type Envelope } from './contact.js';
import type { KeyBundle } from './contact-signal.js';
import { Calls } from './contact-call.js';
import { Presence, type ChatState } from './contact-presence.js';
import { Groups, groupNode, type SimGroup } from './groups.js';
import { bundleNode, encryptKeysHandler } from './iq/encrypt.js';
import { registerGroupIqs } from './iq/groups.js';
import { historyNotification, type HistoryChat } from './messaging-history.js';
import { MessagingMedia } from './messaging-media.js';
import { usyncHandler, type DirectoryUser } from './iq/usync.js';
import type { Device, User } from './registry.js';
import { RetryRecorder } from './retries.js';
import type { Simulator } from './simulator.js';
import type { BinaryNode, StanzaContext } from './types.js';

const STATUS = 'status@broadcast';
const userOf = (jid: string): string => jid.split('@')[0]!.split(':')[0]!;
const pnUser = (jid: string): string => `${userOf(jid)}@s.whatsapp.net`;
const now = (): string => `${unixTimestampSeconds()}`;
const enc = (e: Enc): BinaryNode => ({ tag: 'enc', attrs: { v: '2', type: e.type }, content: e.ciphertext });

/**
 * Contacts, 1:1 and group messages, receipts and server acks between the companions connected
 * to a simulator and its simulated contacts. A contact is device 0 of a registry user.
 */
export class Messaging implements ContactServer {
  readonly contacts = new Map<string, SimContact>();
  readonly groups = new Groups();
  readonly retries = new RetryRecorder();
  readonly presence: Presence;
  readonly calls: Calls;
  /** Devices that have a companion's status sender key, by companion device JID. */
  private readonly statusAudience = new Map<string, Set<Device>>();
  /** Stanzas for companion devices that had no open connection, by device JID, sent (`offline="1"`) when it logs in. */
  readonly offline = new Map<string, BinaryNode[]>();

  constructor(readonly sim: Simulator) {
    const lidOf = (pn: string) => sim.registry.find(pn)?.lid;
    const pnOf = (jid: string) => {
      const u = sim.registry.find(jid);
      return u && `${u.phone}@s.whatsapp.net`;
    };
    const notify = (g: SimGroup, actor: string, change: BinaryNode, also: string[] = []) => this.notifyGroup(g, actor, change, also);
    registerGroupIqs(sim.router, this.groups, lidOf, pnOf, notify);
    sim.router
      .handle({ xmlns: 'usync' }, usyncHandler((u) => this.directory(u)))
      .handle({ xmlns: 'encrypt', type: 'get', child: 'key' }, encryptKeysHandler((jid) => this.takeBundle(jid)))
      // the trusted-contact token the library issues after a 1:1 send; contacts do not check one
      .handle({ xmlns: 'privacy', type: 'set', child: 'tokens' }, () => ({ tag: 'iq', attrs: {} }));
    sim.onStanza('message', (node, ctx) => this.fromCompanion(node, ctx));
    sim.onStanza('receipt', (node, ctx) => this.receiptFromCompanion(node, ctx));
    this.presence = new Presence(sim.registry, (jid) => this.contacts.get(sim.registry.find(jid)?.phone ?? ''), (d, n) => this.toCompanion(d, n));
    sim.onStanza('presence', (node, ctx) => this.presence.fromCompanion(node, ctx));
    sim.onStanza('chatstate', (node, ctx) => this.presence.chatstateFromCompanion(node, ctx));
    this.calls = new Calls(sim.registry, (d, n) => this.toCompanion(d, n));
    sim.onStanza('call', (node, ctx) => this.calls.fromCompanion(node, ctx));
    sim.onLogin(async (conn) => {
      const queued = this.offline.get(conn.jid ?? '') ?? [];
      this.offline.delete(conn.jid ?? '');
      for (const node of queued) await conn.send(node);
      return queued.length;
    });
  }

  /** The HTTPS media host, once `media.start()` ran. */
  readonly media = new MessagingMedia(this);

  /** The simulated contact of `phone`, created (with a registry user and LID) on first use. */
  contact(phone: string, name = `Contact ${phone}`): SimContact {
    const user = this.sim.registry.user(phone, name);
    let c = this.contacts.get(user.phone);
    if (!c) {
      c = new SimContact(user.phone, userOf(user.lid), user.pushName, this);
      this.contacts.set(user.phone, c);
    }
    return c;
  }

  /** `contact` comes online or goes offline, for the companions subscribed to its presence. */
  setPresence(contact: SimContact, presence: 'available' | 'unavailable'): Promise<void> {
    return this.presence.set(contact, presence);
  }

  /** `contact` is typing (or recording, or stopped) in its chat with `to`, a user or a group. */
  typing(contact: SimContact, to: string, state: ChatState): Promise<void> {
    return this.presence.typing(contact, to, state, this.groups.get(to)?.members ?? []);
  }

  /** A group hosted by the server; `creator` and `members` are phone numbers or PN JIDs. Members' companions are told. */
  async createGroup(subject: string, creator: string, members: string[], { addressing = 'pn' as 'pn' | 'lid' } = {}): Promise<string> {
    const jid = (p: string) => pnUser(p.includes('@') ? p : `${p.replace(/\D/g, '')}@s.whatsapp.net`);
    const g = this.groups.create(subject, jid(creator), members.map(jid), addressing);
    const lidOf = (pn: string) => this.sim.registry.find(pn)?.lid;
    await this.notifyGroup(g, g.creator, { tag: 'create', attrs: {}, content: [groupNode(g, lidOf)] });
    return g.jid;
  }

  /** A `w:gp2` notification of `change` to the companions of the members (and of `also`). */
  async notifyGroup(g: SimGroup, actor: string, change: BinaryNode, also: string[] = []): Promise<void> {
    const users = new Set([...g.members, ...also]);
    for (const u of users) {
      const user = this.sim.registry.find(u);
      for (const d of user ? [...user.devices.values()] : []) {
        if (d.id === 0) continue;
        await this.toCompanion(d, {
          tag: 'notification',
          attrs: { from: g.jid, type: 'w:gp2', id: generateMessageIDV2(), t: now(), participant: actor },
          content: [change],
        });
      }
    }
  }

  private findUser(user: string): User | undefined {
    return this.sim.registry.find(`${user}@s.whatsapp.net`) ?? this.sim.registry.find(`${user}@lid`);
  }

  /** Devices the server can give a bundle for: a contact's phone, companions that uploaded prekeys. */
  private devicesOf(user: User): Device[] {
    return [...user.devices.values()].filter((d) => (d.id === 0 ? this.contacts.has(user.phone) : !!d.keys));
  }

  private directory(user: string): DirectoryUser | undefined {
    const u = this.findUser(user);
    return u && { pn: u.phone, lid: userOf(u.lid), devices: this.devicesOf(u).map((d) => d.id) };
  }

  async takeBundle(jid: string): Promise<KeyBundle | undefined> {
    const user = this.sim.registry.find(jid);
    const device = this.sim.registry.device(jid);
    if (!user || !device) return undefined;
    if (device.id === 0) return this.contacts.get(user.phone)?.signal.bundle();
    const keys = device.keys;
    if (!keys) return undefined;
    const next = keys.preKeys.entries().next();
    if (!next.done) keys.preKeys.delete(next.value[0]);
    return {
      registrationId: keys.registrationId,
      identity: keys.identity,
      signedPreKey: { keyId: keys.signedPreKey.id, public: keys.signedPreKey.value, signature: keys.signedPreKey.signature },
      ...(next.done ? {} : { preKey: { keyId: next.value[0], public: next.value[1] } }),
    };
  }

  lidOf(deviceJid: string): string | undefined {
    return this.sim.registry.device(deviceJid)?.lid;
  }

  /**
   * `contact` reinstalls WhatsApp: a new identity, and an `encrypt` identity notification to every
   * companion, so the library drops its session and fetches the new bundle. Without the
   * notification (`notify: false`), the library learns it from the contact's retry receipt.
   */
  async resetIdentity(contact: SimContact, { notify = true } = {}): Promise<void> {
    contact.resetIdentity();
    if (!notify) return;
    for (const user of this.sim.registry.users()) {
      for (const d of user.devices.values()) {
        if (d.id === 0) continue;
        await this.toCompanion(d, {
          tag: 'notification',
          attrs: { from: contact.jid, type: 'encrypt', id: generateMessageIDV2(), t: now() },
          content: [{ tag: 'identity', attrs: {} }],
        });
      }
    }
  }

  /** Contacts whose next pairwise enc the server damages on the way (a drill: Bad MAC, then a retry). */
  private readonly corruptNext = new Set<string>();
  /** Contacts whose next group message reaches companions without the sender key (a drill). */
  private readonly withholdNext = new Set<string>();

  /** Drill: the next group message of `contact` reaches companions without its sender key (skmsg only). */
  withholdNextSenderKey(contact: SimContact): void {
    this.withholdNext.add(contact.phone);
  }

  /** Drill: the next message `contact` sends reaches companions with a broken MAC. */
  corruptNextMessage(contact: SimContact): void {
    this.corruptNext.add(contact.phone);
  }

  recipients(to: string, from: SimContact): string[] {
    // a contact's status goes to every account with a companion
    const users = isJidGroup(to)
      ? (this.groups.get(to)?.members ?? [])
      : to === STATUS
        ? this.sim.registry.users().filter((u) => u.phone !== from.phone).map((u) => `${u.phone}@s.whatsapp.net`)
        : [to];
    return users
      .map((u) => this.sim.registry.find(u))
      .filter((u): u is User => !!u)
      .flatMap((u) => this.devicesOf(u).filter((d) => !(d.id === 0 && u.phone === from.phone)))
      .map((d) => d.lid);
  }

  /** A contact's stanza to devices: contacts decrypt in-process, companions get it on their socket. */
  async relay(from: SimContact, to: string, id: string, type: string, encs: Map<string, Enc>, skmsg?: Enc): Promise<void> {
    const group = isJidGroup(to) || to === STATUS ? to : undefined;
    // a group stanza without skmsg (a retry resend) goes to the devices it was encrypted for only
    const targets = group && skmsg ? this.recipients(to, from) : [...encs.keys()];
    const t = now();
    const corrupt = !group && this.corruptNext.delete(from.phone);
    const withhold = !!group && this.withholdNext.delete(from.phone);
    for (const lid of targets) {
      let pairwise = encs.get(lid);
      if (pairwise && corrupt) {
        const broken = Buffer.from(pairwise.ciphertext);
        broken[broken.length - 1]! ^= 0xff;
        pairwise = { ...pairwise, ciphertext: broken };
      }
      const all = [...(pairwise ? [pairwise] : []), ...(skmsg ? [skmsg] : [])];
      const device = this.sim.registry.device(lid);
      const peer = this.contacts.get(this.sim.registry.find(lid)?.phone ?? '');
      if (withhold && device?.id !== 0) all.splice(0, pairwise ? 1 : 0);
      if (device?.id === 0 && peer) {
        await peer.receive({ id, t: +t, chat: group ?? from.jid, to: group ?? peer.jid, senderDevice: from.lidJid, sender: from.jid, ...(group ? { group } : {}), encs: all });
        continue;
      }
      if (!device) continue;
      const attrs: Record<string, string> = group
        ? this.groups.get(group)?.addressing === 'lid'
          ? { from: group, participant: from.lidJid, participant_pn: from.jid, addressing_mode: 'lid' }
          : { from: group, participant: from.jid, participant_lid: from.lidJid, addressing_mode: 'pn' }
        : from.addressing === 'lid'
          ? { from: from.lidJid, sender_pn: from.jid }
          : { from: from.jid, sender_lid: from.lidJid };
      // the account's own phone talking to its companions
      if (!group && userOf(device.jid) === from.phone) attrs.category = 'peer';
      await this.toCompanion(device, { tag: 'message', attrs: { ...attrs, id, t, type, notify: from.name }, content: all.map(enc) });
    }
  }

  private async toCompanion(device: Device, node: BinaryNode): Promise<void> {
    const conns = this.sim.connectionsOf(device.jid);
    if (!conns.length) {
      const queue = this.offline.get(device.jid) ?? [];
      queue.push({ ...node, attrs: { ...node.attrs, offline: '1' } });
      this.offline.set(device.jid, queue);
    }
    await Promise.all(conns.map((c) => c.send(node)));
  }

  /** A contact's retry receipt to the device that sent `env`, with its keys (as the library's `sendRetryRequest` builds it). */
  async retryReceipt(from: SimContact, env: Envelope, count: number, bundle: KeyBundle): Promise<void> {
    const device = this.sim.registry.device(env.senderDevice);
    if (!device || device.id === 0) return;
    const [registration, ...keys] = bundleNode(from.jid, bundle).content as BinaryNode[];
    await this.toCompanion(device, {
      tag: 'receipt',
      attrs: { from: env.to, id: env.id, type: 'retry', t: now() },
      content: [
        { tag: 'retry', attrs: { count: `${count}`, id: env.id, t: `${env.t}`, v: '1', error: '0' } },
        registration!,
        { tag: 'keys', attrs: {}, content: keys },
      ],
    });
  }

  /** A contact's delivery (no type) or read receipt, to every device of the sender. */
  async receipt(from: SimContact, env: Envelope, type?: 'read'): Promise<void> {
    // a phone does not receipt the copies its own companions send it
    if (userOf(env.sender) === from.phone) return;
    const attrs: Record<string, string> = env.group
      ? { from: env.group, participant: from.jid, id: env.id, t: now() }
      : { from: env.to, id: env.id, t: now() };
    if (type) attrs.type = type;
    const sender = this.sim.registry.find(env.sender);
    for (const d of sender ? [...sender.devices.values()] : []) {
      if (d.id !== 0) await this.toCompanion(d, { tag: 'receipt', attrs });
    }
  }

  /** A companion's `<message>`: server ack, then each `<to>` device's enc (plus the group's skmsg) to that device. */
  private async fromCompanion(node: BinaryNode, { conn }: StanzaContext): Promise<void> {
    const senderJid = conn.jid;
    const sender = senderJid ? this.sim.registry.device(senderJid) : undefined;
    const { id = '', to = '', type = 'text' } = node.attrs;
    await conn.send({ tag: 'ack', attrs: { class: 'message', id, from: to, t: now() } });
    if (!senderJid || !sender) return;
    const group = isJidGroup(to) || to === STATUS ? to : undefined;
    const skmsg = getBinaryNodeChildren(node, 'enc').find((e) => e.attrs.type === 'skmsg');
    const pairwise = new Map<Device, BinaryNode>();
    for (const t of getBinaryNodeChildren(getBinaryNodeChild(node, 'participants'), 'to')) {
      const device = this.sim.registry.device(t.attrs.jid ?? '');
      const e = getBinaryNodeChild(t, 'enc');
      if (device && e) pairwise.set(device, e);
    }
    const targets = new Set(pairwise.keys());
    if (to === STATUS) {
      // the audience is whoever ever got this sender's status key (the library only names new ones)
      const audience = this.statusAudience.get(sender.jid) ?? new Set<Device>();
      for (const d of pairwise.keys()) audience.add(d);
      this.statusAudience.set(sender.jid, audience);
      for (const d of audience) targets.add(d);
    } else if (group) {
      for (const m of this.groups.get(group)?.members ?? []) {
        const u = this.sim.registry.find(m);
        for (const d of u ? this.devicesOf(u) : []) if (d.jid !== sender.jid) targets.add(d);
      }
    }
    const t = now();
    for (const device of targets) {
      // never back to the sending device (in LID groups the library encrypts for itself too)
      if (device.jid === sender.jid) continue;
      const encs = [pairwise.get(device), skmsg].filter((e): e is BinaryNode => !!e);
      const user = this.sim.registry.find(device.jid);
      const contact = device.id === 0 && user ? this.contacts.get(user.phone) : undefined;
      if (contact) {
        await contact.receive({
          id,
          t: +t,
          chat: group ?? pnUser(senderJid),
          to: group ?? to,
          senderDevice: sender.lid,
          sender: pnUser(senderJid),
          ...(group ? { group } : {}),
          encs: encs.map((e) => ({ type: e.attrs.type ?? '', ciphertext: e.content as Uint8Array })),
        });
        continue;
      }
      const own = userOf(device.jid) === userOf(senderJid);
      const attrs: Record<string, string> = group
        ? this.groups.get(group)?.addressing === 'lid'
          ? { from: group, participant: sender.lid, participant_pn: senderJid, addressing_mode: 'lid' }
          : { from: group, participant: senderJid, participant_lid: sender.lid, addressing_mode: 'pn' }
        : own
          ? { from: senderJid, recipient: to }
          : { from: senderJid, sender_lid: sender.lid };
      await this.toCompanion(device, { tag: 'message', attrs: { ...attrs, id, t, type }, content: encs });
    }
  }

  /** A companion's receipt: retries are recorded and answered; receipts for a contact's messages reach the contact. */
  private async receiptFromCompanion(node: BinaryNode, { conn }: StanzaContext): Promise<void> {
    const { type = 'delivery', to = '', participant } = node.attrs;
    if (type === 'retry') this.retries.record(node, conn.jid ?? '');
    const user = this.sim.registry.find(participant ?? to);
    // the account's phone and its companions all get it
    if (user && conn.jid) await this.receiptToCompanions(node, conn.jid, user);
    const target = this.contacts.get(user?.phone ?? '');
    if (!target) return;
    if (type === 'retry' && conn.jid) await target.answerRetry(node, conn.jid);
    const items = getBinaryNodeChildren(getBinaryNodeChild(node, 'list'), 'item').map((i) => i.attrs.id ?? '');
    for (const id of [node.attrs.id ?? '', ...items]) target.receipts.push({ id, type });
  }

  /** A companion's receipt for another account's message, to that account's companions. */
  private async receiptToCompanions(node: BinaryNode, fromJid: string, user: User): Promise<void> {
    const sender = this.sim.registry.device(fromJid);
    if (!sender || userOf(fromJid) === user.phone) return;
    const { to = '', participant, id = '', type } = node.attrs;
    const self = isLidUser(to) ? userOf(sender.lid) + '@lid' : pnUser(fromJid);
    const attrs: Record<string, string> = isJidGroup(to) && participant ? { from: to, participant: pnUser(fromJid) } : { from: self };
    Object.assign(attrs, { id, t: node.attrs.t ?? now() }, type ? { type } : {});
    const receipt: BinaryNode = { tag: 'receipt', attrs, ...(Array.isArray(node.content) ? { content: node.content } : {}) };
    for (const d of user.devices.values()) if (d.id !== 0) await this.toCompanion(d, receipt);
  }

  /**
   * The account's phone, as a Signal device, sends its companions the initial history (an inline
   * INITIAL_BOOTSTRAP with `chats`, empty by default). Without it the library holds its events
   * back for 20 s after pairing, waiting for history.
   */
  async bootstrapHistory(phone: string, chats: HistoryChat[] = []): Promise<string> {
    const user = this.sim.registry.user(phone);
    const device = this.contact(user.phone, user.pushName);
    return device.send(device.jid, historyNotification(chats));
  }

  /**
   * Drill: a `msg` (not `pkmsg`) of junk from `contact`, as if it held a session the instance never had.
   * The library cannot decrypt it and answers with a retry receipt.
   */
  async sendUndecryptable(contact: SimContact, to: string): Promise<string> {
    const id = generateMessageIDV2();
    const junk = (): Enc => ({ type: 'msg', ciphertext: Buffer.concat([Buffer.from([0x33]), randomBytes(64)]) });
    const encs = new Map(this.recipients(to, contact).map((d) => [d, junk()]));
    await this.relay(contact, to, id, 'text', encs);
    return id;
  }
}
