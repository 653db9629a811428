import type { AckStatus, MessageKey } from '../../domain/types.js';
import { HoldBack, type ChannelEvent, type InboundMessage } from '../events.js';
import type { SandboxCalls } from './calls.js';
import { isGroupJid, jidUser } from '../../domain/jid.js';
import { GroupDirectory } from './groupDirectory.js';
import { PhoneDirectory } from './directory.js';
import { MediaVault } from './mediaVault.js';

/** What the network needs from a connected sandbox phone. */
export interface SandboxPhone {
  readonly number: string;
  readonly profileName: string;
  /** Resolves once the phone's gateway stored it; rejects with HoldBack when it cannot take it now. */
  receive(message: InboundMessage): Promise<void>;
  ack(key: MessageKey, status: AckStatus): Promise<void>;
  /** What a peer did that this phone sees (presence, a profile change), as its channel's events. */
  notify?(events: ChannelEvent[]): Promise<void>;
  /** Where a peer's call rings. */
  readonly calls?: SandboxCalls;
}

const STATUS_JID = 'status@broadcast';

interface Route {
  sender: string;
  recipient: string;
}

/**
 * The simulated WhatsApp network every sandbox instance of this process is attached to.
 * A message to the number of another sandbox instance is delivered to it (queued while it is offline);
 * a message to any other number is acknowledged by a simulated contact.
 */
export class SandboxNetwork {
  private readonly online = new Map<string, SandboxPhone>();
  private readonly mailboxes = new Map<string, Array<{ from: SandboxPhone; message: InboundMessage }>>();
  /** Which sender a delivered message id belongs to, so read receipts find their way back. */
  private readonly routes = new Map<string, Route>();
  private readonly timers = new Set<NodeJS.Timeout>();
  readonly groups = new GroupDirectory();
  readonly directory = new PhoneDirectory();
  readonly vault = new MediaVault();

  constructor(private readonly ackDelayMs: number) {}

  attach(phone: SandboxPhone): void {
    this.online.set(phone.number, phone);
    const queued = this.mailboxes.get(phone.number);
    if (queued) {
      this.mailboxes.delete(phone.number);
      for (const { from, message } of queued) this.deliver(from, phone, message);
    }
  }

  /** Goes offline but stays a known number: messages to it wait in its mailbox. */
  detach(phone: SandboxPhone): void {
    if (this.online.get(phone.number) === phone) this.online.delete(phone.number);
    if (!this.mailboxes.has(phone.number)) this.mailboxes.set(phone.number, []);
  }

  /** Leaves the network for good (logout, delete): queued messages are dropped. */
  forget(number: string): void {
    this.online.delete(number);
    this.mailboxes.delete(number);
  }

  phone(number: string): SandboxPhone | undefined {
    return this.online.get(number);
  }

  isKnown(number: string): boolean {
    return this.online.has(number) || this.mailboxes.has(number);
  }

  send(from: SandboxPhone, key: MessageKey, message: Record<string, unknown>, timestamp: number): void {
    if (isGroupJid(key.remoteJid)) return this.sendToGroup(from, key, message, timestamp);
    if (key.remoteJid === STATUS_JID) return this.postStatus(from, key, message, timestamp);
    const recipientNumber = jidUser(key.remoteJid);
    if (!key.remoteJid.endsWith('@g.us')) this.directory.noteContact(from.number, recipientNumber);
    const inbound: InboundMessage = {
      key: { remoteJid: `${from.number}@s.whatsapp.net`, fromMe: false, id: key.id },
      pushName: from.profileName,
      message,
      messageTimestamp: timestamp,
      source: 'web',
    };
    // The server's ack is taken before the message moves on, so a delivery receipt can never overtake it.
    this.later(() => this.handOver(() => from.ack(key, 'SERVER_ACK'), () => this.route(from, key, recipientNumber, inbound)));
  }

  private route(from: SandboxPhone, key: MessageKey, recipientNumber: string, inbound: InboundMessage): void {
    // The recipient blocked the sender: the server takes the message (one tick) and never delivers it.
    if (this.directory.isBlocked(recipientNumber, from.number)) return;
    const recipient = this.online.get(recipientNumber);
    if (recipient) return this.later(() => this.deliver(from, recipient, inbound));
    const mailbox = this.mailboxes.get(recipientNumber);
    if (mailbox) {
      mailbox.push({ from, message: inbound });
      return;
    }
    if (!key.remoteJid.endsWith('@g.us')) this.later(() => this.handOver(() => from.ack(key, 'DELIVERY_ACK')));
  }

  /**
   * A group message reaches every other member (as they are when it is sent) with the sender as `participant`;
   * the group refuses senders it does not take (not a member, announcement group and not an admin) before any ack.
   */
  private sendToGroup(from: SandboxPhone, key: MessageKey, message: Record<string, unknown>, timestamp: number): void {
    const recipients = this.groups.recipients(key.remoteJid, from.number);
    const inbound: InboundMessage = { key: { remoteJid: key.remoteJid, fromMe: false, id: key.id, participant: `${from.number}@s.whatsapp.net` }, pushName: from.profileName, message, messageTimestamp: timestamp, source: 'web' };
    this.later(() => this.handOver(() => from.ack(key, 'SERVER_ACK'), () => {
      for (const number of recipients) {
        const to = this.online.get(number);
        if (to) this.later(() => this.deliver(from, to, inbound));
        else this.mailboxes.get(number)?.push({ from, message: inbound });
      }
    }));
  }

  /** A status post reaches the poster's contacts that are online, as a message of status@broadcast from the poster. */
  private postStatus(from: SandboxPhone, key: MessageKey, message: Record<string, unknown>, timestamp: number): void {
    const inbound: InboundMessage = { key: { remoteJid: STATUS_JID, fromMe: false, id: key.id, participant: `${from.number}@s.whatsapp.net` }, pushName: from.profileName, message, messageTimestamp: timestamp, source: 'web' };
    this.later(() => this.handOver(() => from.ack(key, 'SERVER_ACK'), () => {
      for (const number of this.directory.peersOf(from.number)) {
        const to = this.online.get(number);
        if (to && !this.directory.isBlocked(number, from.number)) this.later(() => this.deliver(from, to, inbound));
      }
    }));
  }

  /** The recipient read (or played) messages: tell each sender. */
  receipt(reader: SandboxPhone, keys: MessageKey[], status: AckStatus): void {
    // Read receipts turned off in the reader's privacy settings: senders never see READ (played voice notes still show).
    if (status === 'READ' && !this.directory.sendsReadReceipts(reader.number)) return;
    for (const key of keys) {
      if (key.fromMe) continue;
      const route = this.routes.get(key.id);
      if (!route || route.recipient !== reader.number) continue;
      const sender = this.online.get(route.sender);
      if (sender) this.later(() => this.handOver(() => sender.ack({ remoteJid: `${reader.number}@s.whatsapp.net`, fromMe: true, id: key.id }, status)));
    }
  }

  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.vault.close();
  }

  private deliver(from: SandboxPhone, to: SandboxPhone, message: InboundMessage): void {
    // Group receipts reach the sender per participant, which Baileys reports outside messages.update: none here.
    if (isGroupJid(message.key.remoteJid) || message.key.remoteJid === STATUS_JID) return this.handOver(() => to.receive(message));
    this.routes.set(message.key.id, { sender: from.number, recipient: to.number });
    if (this.routes.size > 100_000) this.routes.delete(this.routes.keys().next().value!);
    const ackKey = { remoteJid: `${to.number}@s.whatsapp.net`, fromMe: true, id: message.key.id };
    // As WhatsApp's server does, the delivery receipt goes back only once the recipient has taken the message.
    this.handOver(() => to.receive(message), () => this.later(() => this.handOver(() => (this.online.get(from.number) ?? from).ack(ackKey, 'DELIVERY_ACK'))));
  }

  /** Hands something to a phone's gateway; while it holds back, tries again later, as WhatsApp's server redelivers. */
  private handOver(give: () => Promise<void>, then?: () => void): void {
    give().then(then, (err) => {
      if (err instanceof HoldBack) this.after(err.retryAfterMs, () => this.handOver(give, then));
    });
  }

  private later(fn: () => void, factor = 1): void {
    this.after(this.ackDelayMs * factor, fn);
  }

  private after(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }
}
