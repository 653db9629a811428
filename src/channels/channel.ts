import type { AckStatus, ConnectionState, MessageKey } from '../domain/types.js';

/** The QR object upstream returns from create/connect and sends in `qrcode.updated`. */
export interface QrCode {
  pairingCode: string | null;
  code: string;
  base64: string;
  count: number;
}

export type Presence = 'unavailable' | 'available' | 'composing' | 'recording' | 'paused';

/** A message arriving from the network, already in the WhatsApp (Baileys) wire shape. */
export interface InboundMessage {
  key: MessageKey;
  pushName: string | null;
  message: Record<string, unknown>;
  messageTimestamp: number;
  source: string;
}

export interface OutboundMessage {
  remoteJid: string;
  /** WhatsApp message content (conversation, extendedTextMessage, ...). */
  message: Record<string, unknown>;
  keyId?: string;
}

export interface SentMessage {
  key: MessageKey;
  messageTimestamp: number;
}

export interface NumberCheck {
  jid: string;
  exists: boolean;
  number: string;
  name?: string;
}

export interface ConnectionUpdate {
  state: ConnectionState | 'refused';
  statusReason: number;
  /** Set when the channel is open: who we are on the network. */
  wuid?: string;
  profileName?: string | null;
  profilePictureUrl?: string | null;
  /** True when the credentials were invalidated (logged out): the next connect needs a new QR. */
  loggedOut?: boolean;
}

/** What a channel reports back to the gateway. The domain implements it; channels only call it. */
export interface ChannelListener {
  onQr(qr: QrCode | { limitReached: true }): void;
  onConnection(update: ConnectionUpdate): void;
  onMessage(message: InboundMessage): void;
  onAck(ack: { key: MessageKey; status: AckStatus }): void;
  onPresence(update: { remoteJid: string; presence: Presence }): void;
  /** Channel credentials changed: persist them so the channel can come back after a restart. */
  onCredentials(state: unknown | null): void;
}

export interface ConnectOptions {
  /** Phone number for pairing-code login instead of QR. */
  number?: string;
}

/** Every channel (sandbox, Baileys, Meta Cloud API, Evolution) implements this. */
export interface Channel {
  readonly state: ConnectionState;
  /** Starts (or resumes with saved credentials) the connection. Resolves with the first QR when one is needed. */
  connect(options?: ConnectOptions): Promise<QrCode | null>;
  /** The QR currently shown, if the channel is waiting for a scan. */
  currentQr(): QrCode | null;
  /** Invalidates the credentials: the next connect needs a new QR. */
  logout(): Promise<void>;
  /** Closes the connection but keeps credentials (server shutdown, restart). */
  close(): Promise<void>;
  send(message: OutboundMessage): Promise<SentMessage>;
  sendPresence(presence: Presence, remoteJid?: string): Promise<void>;
  markRead(keys: MessageKey[]): Promise<void>;
  checkNumbers(numbers: string[]): Promise<NumberCheck[]>;
  profilePictureUrl(jid: string): Promise<string | null>;
}

export interface ChannelContext {
  instanceId: string;
  instanceName: string;
  /** Saved credentials from a previous session, if any. */
  credentials: unknown | undefined;
  listener: ChannelListener;
}

export type ChannelFactory = (context: ChannelContext) => Channel;
