import {
  encodeWAMessage,
  extractE2ESessionFromRetryReceipt,
  generateMessageIDV2,
  generateSignalPubKey,
  getBinaryNodeChild,
  jidNormalizedUser,
  proto,
  unpadRandomMax16,
  type BinaryNode,
} from 'baileys';
import { SignalDevice, type KeyBundle } from './contact-signal.js';
import { encryptPollVote } from './poll-vote.js';

/** One enc payload of a stanza: pairwise (`pkmsg`/`msg`) or group (`skmsg`). */
export interface Enc {
  type: string;
  ciphertext: Uint8Array;
}

/** A message as the server hands it to a simulated contact. */
export interface Envelope {
  id: string;
  t: number;
  /** The chat: the sender's user JID, or the group JID. */
  chat: string;
  /** The stanza's `to`: how the sender addressed this contact (or the group). */
  to: string;
  /** The sending device's LID JID: the Signal address the contact keeps its session under. */
  senderDevice: string;
  /** The sending user's PN JID. */
  sender: string;
  group?: string;
  encs: Enc[];
}

/** What a contact decrypted. */
export interface ContactMessage {
  key: { id: string; remoteJid: string; participant?: string };
  sender: string;
  message: proto.IMessage;
  /** The text of a conversation / extended text message, if any. */
  text: string | undefined;
}

/** What the contact needs from the server: bundles of other devices and a way to put stanzas on the wire. */
export interface ContactServer {
  takeBundle(deviceLid: string): Promise<KeyBundle | undefined>;
  /** Devices (LID JIDs) to send to for a user or group, excluding the contact itself. */
  recipients(to: string, from: SimContact): string[];
  relay(from: SimContact, to: string, id: string, type: string, encs: Map<string, Enc>, skmsg?: Enc): Promise<void>;
  receipt(from: SimContact, env: Envelope, type?: 'read'): Promise<void>;
  /** Asks the sending device to resend `env` (a retry receipt carrying this contact's keys). */
  retryReceipt(from: SimContact, env: Envelope, count: number, bundle: KeyBundle): Promise<void>;
  /** The LID JID of a device known by any of its JIDs. */
  lidOf(deviceJid: string): string | undefined;
}

const textOf = (m: proto.IMessage): string | undefined => m.conversation ?? m.extendedTextMessage?.text ?? undefined;

/** A simulated WhatsApp user on a single phone, with its own Signal identity. */
export class SimContact {
  signal = new SignalDevice();
  readonly inbox: ContactMessage[] = [];
  /** Receipts the contact got for what it sent, by message id. */
  readonly receipts: { id: string; type: string }[] = [];
  /** Stanzas it could not decrypt: every test expects none. */
  readonly failures: { id: string; error: string }[] = [];
  private readonly envelopes = new Map<string, Envelope>();
  private readonly waiters: { match: (m: ContactMessage) => boolean; resolve: (m: ContactMessage) => void }[] = [];
  /** How its 1:1 messages are addressed: from its phone number (with `sender_lid`) or from its LID (with `sender_pn`). */
  addressing: 'pn' | 'lid' = 'pn';
  /** Online or not, as its presence subscribers see it. */
  presence: 'available' | 'unavailable' = 'unavailable';
  /** Chat states companions sent it (composing, recording, paused). */
  readonly chatstates: { from: string; state: string }[] = [];
  /** What it sent, by id, to answer retry receipts. */
  private readonly sent = new Map<string, { to: string; message: proto.IMessage }>();
  /** Retry receipts it sent for what it could not decrypt, by message id (count). */
  readonly retriesSent = new Map<string, number>();
  /** Retry receipts it answered by re-encrypting and resending. */
  readonly resent: { id: string; device: string; count: number }[] = [];
  /** Devices that already have this contact's sender key, per group. */
  private readonly senderKeySent = new Map<string, Set<string>>();

  constructor(
    readonly phone: string,
    readonly lid: string,
    readonly name: string,
    private readonly server: ContactServer,
  ) {}

  get jid(): string {
    return `${this.phone}@s.whatsapp.net`;
  }

  get lidJid(): string {
    return `${this.lid}@lid`;
  }

  /** A reinstall: a new Signal identity, no sessions and no sender keys (the server tells others). */
  resetIdentity(): void {
    this.signal = new SignalDevice();
    this.senderKeySent.clear();
    this.sent.clear();
  }

  /** Decrypts a delivered stanza with the library's repository, then acknowledges it with a delivery receipt. */
  async receive(env: Envelope): Promise<void> {
    const repo = this.signal.repo;
    const message: proto.IMessage = {};
    try {
      for (const enc of env.encs) {
        const plain =
          enc.type === 'skmsg'
            ? await repo.decryptGroupMessage({ group: env.group!, authorJid: env.senderDevice, msg: enc.ciphertext })
            : await repo.decryptMessage({ jid: env.senderDevice, type: enc.type as 'pkmsg' | 'msg', ciphertext: enc.ciphertext });
        let m = proto.Message.decode(unpadRandomMax16(plain));
        m = (m.deviceSentMessage?.message as proto.Message | undefined) ?? m;
        const skdm = m.senderKeyDistributionMessage;
        if (skdm) await repo.processSenderKeyDistributionMessage({ item: skdm, authorJid: env.senderDevice });
        Object.assign(message, proto.Message.toObject(m));
      }
    } catch (error) {
      this.failures.push({ id: env.id, error: (error as Error).message });
      // like a phone: ask for the message again, with keys for a new session, twice at most
      const count = (this.retriesSent.get(env.id) ?? 0) + 1;
      if (!env.group && count <= 2) {
        this.retriesSent.set(env.id, count);
        await this.server.retryReceipt(this, env, count, await this.signal.bundle());
      }
      return;
    }
    delete message.senderKeyDistributionMessage;
    this.envelopes.set(env.id, env);
    const got: ContactMessage = {
      key: { id: env.id, remoteJid: env.chat, ...(env.group ? { participant: env.sender } : {}) },
      sender: env.sender,
      message,
      text: textOf(message),
    };
    this.inbox.push(got);
    for (const w of [...this.waiters]) {
      if (!w.match(got)) continue;
      this.waiters.splice(this.waiters.indexOf(w), 1);
      w.resolve(got);
    }
    await this.server.receipt(this, env);
  }

  received(): ContactMessage[] {
    return [...this.inbox];
  }

  /** The first message (already in or still to come) that matches. */
  waitFor(match: string | ((m: ContactMessage) => boolean), timeoutMs = 10_000): Promise<ContactMessage> {
    const test = typeof match === 'string' ? (m: ContactMessage) => m.text === match : match;
    const found = this.inbox.find(test);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.phone} did not receive ${String(match)}`)), timeoutMs);
      this.waiters.push({ match: test, resolve: (m) => (clearTimeout(timer), resolve(m)) });
    });
  }

  /** Sends a read receipt for a received message. */
  async read(key: { id: string }): Promise<void> {
    const env = this.envelopes.get(key.id);
    if (!env) throw new Error(`${this.phone} never received ${key.id}`);
    await this.server.receipt(this, env, 'read');
  }

  sendText(to: string, text: string): Promise<string> {
    return this.send(to, { conversation: text });
  }

  /** Reacts to message `id` in the chat with `to` (`fromMe`: the contact's own message). */
  react(to: string, id: string, emoji: string, fromMe = false): Promise<string> {
    return this.send(to, { reactionMessage: { key: { remoteJid: to, fromMe, id }, text: emoji, senderTimestampMs: Date.now() } });
  }

  /**
   * Votes on a poll it received (no options: takes its vote back), encrypted with the poll's messageSecret for the
   * poll's sender and this contact as it addresses its chats (phone number or LID).
   */
  vote(poll: ContactMessage, options: string[]): Promise<string> {
    const secret = poll.message.messageContextInfo?.messageSecret;
    if (!secret) throw new Error(`${poll.key.id} carries no poll secret`);
    const creator = jidNormalizedUser(poll.sender);
    const voterJid = this.addressing === 'lid' ? this.lidJid : this.jid;
    const vote = encryptPollVote(options, { pollMsgId: poll.key.id, pollCreatorJid: creator, voterJid, pollEncKey: secret });
    const pollCreationMessageKey = { remoteJid: poll.key.remoteJid, fromMe: false, id: poll.key.id, ...(poll.key.participant ? { participant: poll.key.participant } : {}) };
    return this.send(poll.key.remoteJid, { pollUpdateMessage: { pollCreationMessageKey, vote, senderTimestampMs: Date.now() } });
  }

  /** Edits its own message `id` sent to `to`. */
  edit(to: string, id: string, text: string): Promise<string> {
    const type = proto.Message.ProtocolMessage.Type.MESSAGE_EDIT;
    return this.send(to, { protocolMessage: { type, key: { remoteJid: to, fromMe: true, id }, editedMessage: { conversation: text }, timestampMs: Date.now() } });
  }

  /** Deletes its own message `id` sent to `to`, for everyone. */
  revoke(to: string, id: string): Promise<string> {
    return this.send(to, { protocolMessage: { type: proto.Message.ProtocolMessage.Type.REVOKE, key: { remoteJid: to, fromMe: true, id } } });
  }

  /** Encrypts `message` for every device of `to` (a user or a group) and hands it to the server. */
  async send(to: string, message: proto.IMessage, id = generateMessageIDV2()): Promise<string> {
    const devices = this.server.recipients(to, this);
    const type = message.imageMessage || message.videoMessage || message.audioMessage || message.documentMessage || message.stickerMessage ? 'media' : 'text';
    if (!devices.length) throw new Error(`${to} has no device to send to`);
    // groups and status share the sender-key path
    if (to.endsWith('@g.us') || to === 'status@broadcast') {
      const { ciphertext, senderKeyDistributionMessage } = await this.signal.repo.encryptGroupMessage({
        group: to,
        meId: this.jid,
        data: encodeWAMessage(message),
      });
      const sent = this.senderKeySent.get(to) ?? new Set<string>();
      this.senderKeySent.set(to, sent);
      const skdm: proto.IMessage = { senderKeyDistributionMessage: { groupId: to, axolotlSenderKeyDistributionMessage: senderKeyDistributionMessage } };
      const encs = new Map<string, Enc>();
      for (const d of devices.filter((d) => !sent.has(d))) {
        encs.set(d, await this.encrypt(d, skdm));
        sent.add(d);
      }
      this.sent.set(id, { to, message });
      await this.server.relay(this, to, id, type, encs, { type: 'skmsg', ciphertext });
      return id;
    }
    const encs = new Map<string, Enc>();
    for (const d of devices) encs.set(d, await this.encrypt(d, message));
    this.sent.set(id, { to, message });
    await this.server.relay(this, to, id, type, encs);
    return id;
  }

  /**
   * A companion could not decrypt `id`: drop the session with that device, start a new one from
   * the keys in the receipt (or a fresh bundle), and send the message to that device again,
   * pairwise; a group message carries this contact's sender key along, as the library's resend does.
   */
  async answerRetry(receipt: BinaryNode, deviceJid: string): Promise<void> {
    const id = receipt.attrs.id ?? '';
    const original = this.sent.get(id);
    const device = this.server.lidOf(deviceJid);
    if (!original || !device) return;
    const repo = this.signal.repo;
    await repo.deleteSession([device]);
    const keys = extractE2ESessionFromRetryReceipt(receipt);
    if (keys) await repo.injectE2ESession({ jid: device, session: keys });
    const count = Number(getBinaryNodeChild(receipt, 'retry')?.attrs.count ?? 1);
    const group = original.to.endsWith('@g.us') || original.to === 'status@broadcast' ? original.to : undefined;
    const message: proto.IMessage = group
      ? {
          ...original.message,
          senderKeyDistributionMessage: {
            groupId: group,
            axolotlSenderKeyDistributionMessage: await repo.getSenderKeyDistributionMessage({ group, meId: this.jid }),
          },
        }
      : original.message;
    const enc = await this.encrypt(device, message);
    this.resent.push({ id, device, count });
    await this.server.relay(this, original.to, id, 'text', new Map([[device, enc]]));
  }

  /** Pairwise encryption to one device, fetching its bundle first when there is no session yet. */
  async encrypt(device: string, message: proto.IMessage): Promise<Enc> {
    const repo = this.signal.repo;
    if (!(await repo.validateSession(device)).exists) {
      const b = await this.server.takeBundle(device);
      if (!b) throw new Error(`no prekey bundle for ${device}`);
      await repo.injectE2ESession({
        jid: device,
        session: {
          registrationId: b.registrationId,
          identityKey: generateSignalPubKey(b.identity),
          signedPreKey: { keyId: b.signedPreKey.keyId, publicKey: generateSignalPubKey(b.signedPreKey.public), signature: b.signedPreKey.signature },
          ...(b.preKey ? { preKey: { keyId: b.preKey.keyId, publicKey: generateSignalPubKey(b.preKey.public) } } : {}),
        },
      });
    }
    const { type, ciphertext } = await repo.encryptMessage({ jid: device, data: encodeWAMessage(message) });
    return { type, ciphertext };
  }
}
