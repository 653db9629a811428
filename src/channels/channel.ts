import type { ConnectionState, MessageKey, Settings } from '../domain/types.js';
import type { Outbound, SentMessage } from './content.js';
import type { ChannelListener } from './events.js';
import type { ChannelKeyStore } from './keyStore.js';
import type { ReceiptOps } from './operations/receipts.js';
import type { ProfileOps } from './operations/profile.js';
import type { ChatOps } from './operations/chats.js';
import type { GroupOps } from './operations/groups.js';
import type { PrivacyOps } from './operations/privacy.js';
import type { LabelOps } from './operations/labels.js';
import type { CallOps } from './operations/calls.js';
import type { BusinessOps } from './operations/business.js';
import type { TemplateOps } from './operations/templates.js';
import type { MediaOps } from './operations/media.js';

export type { ReceiptOps, ProfileOps, ChatOps, GroupOps, PrivacyOps, LabelOps, CallOps, BusinessOps, TemplateOps, MediaOps };

/** The QR object upstream returns from create/connect and sends in `qrcode.updated`. */
export interface QrCode {
  pairingCode: string | null;
  code: string;
  base64: string;
  count: number;
}

export type Presence = 'unavailable' | 'available' | 'composing' | 'recording' | 'paused';

export interface NumberCheck {
  jid: string;
  exists: boolean;
  number: string;
  name?: string;
}

export interface ConnectOptions {
  /** Phone number for pairing-code login instead of QR. */
  number?: string;
}

// --- operation families: a channel has the ones its driver declares, and nothing else ---

export interface PresenceOps {
  sendPresence(presence: Presence, remoteJid?: string): Promise<void>;
}

export interface NumberOps {
  checkNumbers(numbers: string[]): Promise<NumberCheck[]>;
}

/** One object per family; each family's interface lives in its own file under operations/. */
export interface ChannelOperations {
  presence: PresenceOps;
  receipts: ReceiptOps;
  numbers: NumberOps;
  profile: ProfileOps;
  chats: ChatOps;
  groups: GroupOps;
  privacy: PrivacyOps;
  labels: LabelOps;
  calls: CallOps;
  business: BusinessOps;
  templates: TemplateOps;
  media: MediaOps;
}

/** Every channel (sandbox, Baileys, Meta Cloud API, Evolution) implements this core, plus the families it declares. */
export interface Channel extends Partial<ChannelOperations> {
  readonly state: ConnectionState;
  /** Starts (or resumes with saved credentials) the connection. Resolves with the first QR when one is needed. */
  connect(options?: ConnectOptions): Promise<QrCode | null>;
  /** The QR currently shown, if the channel is waiting for a scan. */
  currentQr(): QrCode | null;
  /** Invalidates the credentials: the next connect needs a new QR. */
  logout(): Promise<void>;
  /** Closes the connection but keeps credentials (server shutdown, restart). */
  close(): Promise<void>;
  /** Sends one message; resolves with what went on the wire. Only called for content kinds the driver declares. */
  send(message: Outbound): Promise<SentMessage>;
  /** The instance's settings changed (rejectCall, syncFullHistory, ...). */
  settingsChanged?(settings: Settings): void;
}

export interface ChannelContext {
  instanceId: string;
  instanceName: string;
  /** Instance number and business id given at create (Meta: the phone number id). */
  number: string | null;
  businessId: string | null;
  /** The instance's API token; the Cloud API channel also uses it as the Graph access token, as upstream does. */
  token?: string;
  settings: Settings;
  /** Saved credentials and keyed entries (signal keys, tokens), sealed at rest. */
  keys: ChannelKeyStore;
  /** Saved credentials from a previous session, if any (the same as keys.loadCredentials(), loaded before start). */
  credentials: unknown | undefined;
  listener: ChannelListener;
}
