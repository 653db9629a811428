import type { AckStatus, ConnectionState, MessageKey, Settings } from '../../domain/types.js';
import type { Channel, ChannelContext, ConnectOptions, NumberCheck, Presence, QrCode } from '../channel.js';
import type { Outbound, SentMessage } from '../content.js';
import type { ChannelEvent, InboundMessage, MessageMode } from '../events.js';
import { ChannelError } from '../errors.js';
import { newPairingCode, newQrCodeString, renderQrDataUrl } from '../qr.js';
import { toWhatsAppMessage } from '../whatsapp/wire.js';
import { jidUser, sandboxNumberExists, toJid } from '../../domain/jid.js';
import { messageKeyId, nowSeconds } from '../../domain/ids.js';
import type { SandboxNetwork, SandboxPhone } from './network.js';
import { SandboxProfile } from './profile.js';
import { SandboxChats } from './chats.js';
import { SandboxPrivacy } from './privacy.js';
import { SandboxGroups } from './groups.js';
import { SandboxLabels } from './labels.js';
import { SandboxCalls } from './calls.js';
import { SandboxBusiness } from './business.js';
import { SandboxTemplates } from './templates.js';
import { SandboxMedia } from './media.js';
import { restorePhoneState } from './phoneState.js';

export interface SandboxCredentials {
  number: string;
  profileName: string;
}

export interface SandboxOptions {
  network: SandboxNetwork;
  qrLimit: number;
  qrRefreshMs: number;
  qrColor: string;
}

/** Disconnect reasons after which WhatsApp wants a new login, as Baileys reports them. */
const LOGGED_OUT_REASONS = new Set([401, 403]);

/**
 * A simulated phone on the sandbox network. From the outside it behaves like a Baileys connection:
 * QR codes that refresh up to QRCODE_LIMIT, a scan that opens the connection, acks, drops and reconnects.
 */
export class SandboxChannel implements Channel, SandboxPhone {
  private _state: ConnectionState = 'close';
  private credentials: SandboxCredentials | undefined;
  private qr: QrCode | null = null;
  private qrTimer: NodeJS.Timeout | undefined;
  private pairingCode: string | null = null;

  readonly presence = { sendPresence: (presence: Presence, remoteJid?: string) => this.chats.presence(presence, remoteJid) };
  readonly receipts = {
    markRead: async (keys: MessageKey[]) => {
      this.assertOpen();
      this.opts.network.receipt(this, keys, 'READ');
    },
    markPlayed: async (keys: MessageKey[]) => {
      this.assertOpen();
      this.opts.network.receipt(this, keys, 'PLAYED');
    },
  };
  readonly numbers = { checkNumbers: async (numbers: string[]) => numbers.map((n) => this.checkNumber(n)) };
  readonly profile = new SandboxProfile(this);
  // Each family in a file of its own; the driver declares the capability once the family is complete.
  readonly chats = new SandboxChats(this);
  readonly privacy = new SandboxPrivacy(this);
  readonly groups = new SandboxGroups(this);
  readonly labels = new SandboxLabels(this);
  readonly calls = new SandboxCalls(this);
  readonly business = new SandboxBusiness(this);
  readonly templates = new SandboxTemplates(this);
  readonly media = new SandboxMedia(this);

  constructor(readonly ctx: ChannelContext, readonly opts: SandboxOptions) {
    this.credentials = ctx.credentials as SandboxCredentials | undefined;
  }

  get state(): ConnectionState {
    return this._state;
  }

  get number(): string {
    return this.credentials?.number ?? '';
  }

  get profileName(): string {
    return this.credentials?.profileName ?? '';
  }

  async connect(options: ConnectOptions = {}): Promise<QrCode | null> {
    if (this._state === 'open') return null;
    if (this.credentials) {
      // Without its saved profile the phone still works (as a fresh account), so a failed read does not stop the login.
      await restorePhoneState(this).catch(() => undefined);
      if (this.state !== 'open') this.open(200);
      return null;
    }
    if (this._state === 'connecting' && this.qr && !options.number) return this.qr;
    this.stopQr();
    this._state = 'connecting';
    this.pairingCode = options.number ? newPairingCode() : null;
    this.report({ type: 'connection', update: { state: 'connecting', statusReason: 200 } });
    await this.showQr(1);
    return this.qr;
  }

  currentQr(): QrCode | null {
    return this._state === 'connecting' ? this.qr : null;
  }

  async logout(): Promise<void> {
    this.stopQr();
    if (this.credentials) this.opts.network.forget(this.credentials.number);
    this.credentials = undefined;
    this._state = 'close';
    this.report({ type: 'credentials', state: null });
  }

  async close(): Promise<void> {
    this.stopQr();
    if (this.credentials) this.opts.network.detach(this);
    this._state = 'close';
  }

  async send(out: Outbound): Promise<SentMessage> {
    this.assertOpen();
    const key: MessageKey = { remoteJid: out.remoteJid, fromMe: true, id: out.options.keyId ?? messageKeyId() };
    const message = toWhatsAppMessage(out);
    const messageTimestamp = nowSeconds();
    this.opts.network.send(this, key, message, messageTimestamp);
    return { key, messageTimestamp, message };
  }

  // --- SandboxPhone: called by the network ---

  /** Edits and revokes arrive as protocol messages; everything else is a new message. */
  receive(message: InboundMessage): Promise<void> {
    const protocol = message.message.protocolMessage as { key?: MessageKey; type?: string; editedMessage?: Record<string, unknown> } | undefined;
    if (protocol?.key) {
      // A sender may edit or revoke only its own messages in a chat with one person; the phone ignores anything else.
      if (!protocol.key.fromMe && !message.key.remoteJid.endsWith('@g.us')) return Promise.resolve();
      const key = { ...protocol.key, remoteJid: message.key.remoteJid, fromMe: false };
      const update = protocol.type === 'REVOKE' ? { type: 'revoke' as const, key, at: message.messageTimestamp } : { type: 'edit' as const, key, message: protocol.editedMessage ?? {}, at: message.messageTimestamp };
      return this.ctx.listener.deliver([{ type: 'message.updates', updates: [update] }]);
    }
    return this.deliverMessages('live', [message]);
  }

  ack(key: MessageKey, status: AckStatus): Promise<void> {
    return this.ctx.listener.deliver([{ type: 'message.updates', updates: [{ type: 'ack', key, status, at: nowSeconds() }] }]);
  }

  notify(events: ChannelEvent[]): Promise<void> {
    return this.ctx.listener.deliver(events);
  }

  /** rejectCall and msgCall are read when a call rings. */
  settingsChanged(settings: Settings): void {
    this.ctx.settings = settings;
  }

  /** The phone's own name changed: messages carry it from now on, and the saved credentials keep it. */
  rename(profileName: string): void {
    if (!this.credentials) return;
    this.credentials = { ...this.credentials, profileName };
    this.report({ type: 'credentials', state: this.credentials });
  }

  /** Announces the open connection again with the current profile, as upstream's reload after a picture change does. */
  reannounce(): void {
    if (this._state === 'open') this.report(this.openEvent(200));
  }

  // --- sandbox controls (the simulated phone and its contacts) ---

  /** The phone scans the QR (or enters the pairing code): the connection opens as `number`. */
  scan(number: string, profileName?: string): void {
    if (this._state !== 'connecting' || !this.qr) throw new ChannelError('There is no QR code to scan: call /instance/connect first');
    if (this.opts.network.phone(number)) throw new ChannelError(`The number ${number} is already connected to another sandbox instance`);
    this.stopQr();
    this.credentials = { number, profileName: profileName ?? `Sandbox ${number.slice(-4)}` };
    this.report({ type: 'credentials', state: this.credentials });
    this.open(200);
  }

  /** Contacts send messages to this phone (live) or the phone syncs its history: resolves once they are stored. */
  inbound(mode: MessageMode, messages: InboundMessage[], progress?: number): Promise<void> {
    this.assertOpen();
    // A blocked contact's live messages never arrive (in groups they still do, as on WhatsApp).
    const arriving = mode === 'live' ? messages.filter((m) => !this.chats.blocks(m.key)) : messages;
    return arriving.length ? this.deliverMessages(mode, arriving, progress) : Promise.resolve();
  }

  /** A contact's phone acknowledges a message this instance sent. */
  contactAck(key: MessageKey, status: AckStatus): Promise<void> {
    this.assertOpen();
    return this.ack(key, status);
  }

  /** The connection drops with a WhatsApp/Baileys reason; the channel follows Baileys' reconnect policy. */
  drop(statusReason: number): void {
    if (this._state === 'close') throw new ChannelError('The instance is not connected');
    this.stopQr();
    if (this.credentials) this.opts.network.detach(this);
    if (LOGGED_OUT_REASONS.has(statusReason) || !this.credentials) {
      if (this.credentials) this.opts.network.forget(this.credentials.number);
      this.credentials = undefined;
      this._state = 'close';
      this.report({ type: 'credentials', state: null }, { type: 'connection', update: { state: 'close', statusReason, loggedOut: true } });
      return;
    }
    this._state = 'connecting';
    this.report({ type: 'connection', update: { state: 'connecting', statusReason } });
    setImmediate(() => {
      if (this._state === 'connecting' && this.credentials) this.open(200);
    });
  }

  private deliverMessages(mode: MessageMode, messages: InboundMessage[], progress?: number): Promise<void> {
    // A new message takes its chat out of the archive, as WhatsApp does; the phone notes it once the gateway took both.
    const unarchived = mode === 'live' ? this.chats.archivedChatsOf(messages) : [];
    const events: ChannelEvent[] = [{ type: 'messages', mode, messages, ...(progress !== undefined ? { progress, isLatest: progress >= 100 } : {}) }];
    if (unarchived.length) events.push({ type: 'chats', action: 'update', chats: unarchived.map((remoteJid) => ({ remoteJid, archived: false })) });
    return this.ctx.listener.deliver(events).then(() => this.chats.unarchived(unarchived));
  }

  /** Lifecycle events: their order is kept by the listener's queue; a failure there is the listener's to log. */
  private report(...events: ChannelEvent[]): void {
    this.ctx.listener.deliver(events).catch(() => undefined);
  }

  private checkNumber(raw: string): NumberCheck {
    const jid = toJid(raw);
    const digits = jidUser(jid);
    const exists = jid.endsWith('@g.us') || sandboxNumberExists(digits);
    const phone = this.opts.network.phone(digits);
    return { jid, exists, number: raw, ...(phone ? { name: phone.profileName } : {}) };
  }

  private open(statusReason: number): void {
    this._state = 'open';
    this.opts.network.attach(this);
    this.report(this.openEvent(statusReason));
    this.labels.sync().catch(() => undefined);
  }

  private openEvent(statusReason: number): ChannelEvent {
    const creds = this.credentials!;
    const profilePictureUrl = this.opts.network.directory.pictureUrlFor(creds.number, creds.number);
    return { type: 'connection', update: { state: 'open', statusReason, wuid: `${creds.number}@s.whatsapp.net`, profileName: creds.profileName, profilePictureUrl } };
  }

  private async showQr(count: number): Promise<void> {
    if (count > this.opts.qrLimit) {
      this.stopQr();
      this._state = 'close';
      this.report({ type: 'qr', qr: { limitReached: true } }, { type: 'connection', update: { state: 'refused', statusReason: 428 } });
      return;
    }
    const code = newQrCodeString();
    this.qr = { pairingCode: this.pairingCode, code, base64: await renderQrDataUrl(code, this.opts.qrColor), count };
    this.report({ type: 'qr', qr: this.qr });
    this.qrTimer = setTimeout(() => {
      if (this._state === 'connecting' && !this.credentials) void this.showQr(count + 1);
    }, this.opts.qrRefreshMs);
    this.qrTimer.unref();
  }

  private stopQr(): void {
    if (this.qrTimer) clearTimeout(this.qrTimer);
    this.qrTimer = undefined;
    this.qr = null;
  }

  assertOpen(): void {
    if (this._state !== 'open') throw new ChannelError(`The "${this.ctx.instanceName}" instance is not connected`, 'NOT_CONNECTED');
  }
}
