import type { AckStatus, ConnectionState, MessageKey } from '../../domain/types.js';
import type { Channel, ChannelContext, ConnectOptions, InboundMessage, NumberCheck, OutboundMessage, Presence, QrCode, SentMessage } from '../channel.js';
import { ChannelError } from '../errors.js';
import { newPairingCode, newQrCodeString, renderQrDataUrl } from '../qr.js';
import { jidUser, sandboxNumberExists, toJid } from '../../domain/jid.js';
import { messageKeyId, nowSeconds } from '../../domain/ids.js';
import type { SandboxNetwork, SandboxPhone } from './network.js';

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

  constructor(private readonly ctx: ChannelContext, private readonly opts: SandboxOptions) {
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
      this.open(200);
      return null;
    }
    if (this._state === 'connecting' && this.qr && !options.number) return this.qr;
    this.stopQr();
    this._state = 'connecting';
    this.pairingCode = options.number ? newPairingCode() : null;
    this.ctx.listener.onConnection({ state: 'connecting', statusReason: 200 });
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
    this.ctx.listener.onCredentials(null);
  }

  async close(): Promise<void> {
    this.stopQr();
    if (this.credentials) this.opts.network.detach(this);
    this._state = 'close';
  }

  async send(out: OutboundMessage): Promise<SentMessage> {
    this.assertOpen();
    const key: MessageKey = { remoteJid: out.remoteJid, fromMe: true, id: out.keyId ?? messageKeyId() };
    const messageTimestamp = nowSeconds();
    this.opts.network.send(this, key, out.message, messageTimestamp);
    return { key, messageTimestamp };
  }

  async sendPresence(_presence: Presence, _remoteJid?: string): Promise<void> {
    this.assertOpen();
  }

  async markRead(keys: MessageKey[]): Promise<void> {
    this.assertOpen();
    this.opts.network.receipt(this, keys, 'READ');
  }

  async checkNumbers(numbers: string[]): Promise<NumberCheck[]> {
    return numbers.map((raw) => {
      const jid = toJid(raw);
      const digits = jidUser(jid);
      const exists = jid.endsWith('@g.us') || sandboxNumberExists(digits);
      const phone = this.opts.network.phone(digits);
      return { jid, exists, number: raw, ...(phone ? { name: phone.profileName } : {}) };
    });
  }

  async profilePictureUrl(_jid: string): Promise<string | null> {
    return null;
  }

  // --- SandboxPhone: called by the network ---

  receive(message: InboundMessage): void {
    this.ctx.listener.onMessage(message);
  }

  ack(key: MessageKey, status: AckStatus): void {
    this.ctx.listener.onAck({ key, status });
  }

  // --- sandbox controls (the simulated phone and its contacts) ---

  /** The phone scans the QR (or enters the pairing code): the connection opens as `number`. */
  scan(number: string, profileName?: string): void {
    if (this._state !== 'connecting' || !this.qr) throw new ChannelError('There is no QR code to scan: call /instance/connect first');
    if (this.opts.network.phone(number)) throw new ChannelError(`The number ${number} is already connected to another sandbox instance`);
    this.stopQr();
    this.credentials = { number, profileName: profileName ?? `Sandbox ${number.slice(-4)}` };
    this.ctx.listener.onCredentials(this.credentials);
    this.open(200);
  }

  /** A contact sends a message to this phone. */
  inbound(message: InboundMessage): void {
    this.assertOpen();
    this.receive(message);
  }

  /** A contact's phone acknowledges a message this instance sent. */
  contactAck(key: MessageKey, status: AckStatus): void {
    this.assertOpen();
    this.ack(key, status);
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
      this.ctx.listener.onCredentials(null);
      this.ctx.listener.onConnection({ state: 'close', statusReason, loggedOut: true });
      return;
    }
    this._state = 'connecting';
    this.ctx.listener.onConnection({ state: 'connecting', statusReason });
    setImmediate(() => {
      if (this._state === 'connecting' && this.credentials) this.open(200);
    });
  }

  private open(statusReason: number): void {
    const creds = this.credentials!;
    this._state = 'open';
    this.opts.network.attach(this);
    this.ctx.listener.onConnection({
      state: 'open',
      statusReason,
      wuid: `${creds.number}@s.whatsapp.net`,
      profileName: creds.profileName,
      profilePictureUrl: null,
    });
  }

  private async showQr(count: number): Promise<void> {
    if (count > this.opts.qrLimit) {
      this.stopQr();
      this._state = 'close';
      this.ctx.listener.onQr({ limitReached: true });
      this.ctx.listener.onConnection({ state: 'refused', statusReason: 428 });
      return;
    }
    const code = newQrCodeString();
    this.qr = { pairingCode: this.pairingCode, code, base64: await renderQrDataUrl(code, this.opts.qrColor), count };
    this.ctx.listener.onQr(this.qr);
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

  private assertOpen(): void {
    if (this._state !== 'open') throw new ChannelError(`The "${this.ctx.instanceName}" instance is not connected`, 'NOT_CONNECTED');
  }
}
