export type ConnectionState = 'open' | 'connecting' | 'close';

export const INTEGRATIONS = ['WHATSAPP-BAILEYS', 'WHATSAPP-BUSINESS', 'EVOLUTION', 'SANDBOX'] as const;
export type Integration = (typeof INTEGRATIONS)[number];

export interface Instance {
  id: string;
  name: string;
  connectionStatus: ConnectionState;
  ownerJid: string | null;
  profileName: string | null;
  profilePicUrl: string | null;
  integration: string;
  number: string | null;
  businessId: string | null;
  token: string;
  tokenHash: string;
  clientName: string;
  disconnectionReasonCode: number | null;
  disconnectionObject: string | null;
  disconnectionAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Settings {
  rejectCall: boolean;
  msgCall: string;
  groupsIgnore: boolean;
  alwaysOnline: boolean;
  readMessages: boolean;
  readStatus: boolean;
  syncFullHistory: boolean;
  wavoipToken: string;
}

export const DEFAULT_SETTINGS: Settings = {
  rejectCall: false,
  msgCall: '',
  groupsIgnore: false,
  alwaysOnline: false,
  readMessages: false,
  readStatus: false,
  syncFullHistory: false,
  wavoipToken: '',
};

export interface WebhookConfig {
  id: string;
  instanceId: string;
  url: string;
  headers: Record<string, string> | null;
  enabled: boolean;
  events: string[];
  webhookByEvents: boolean;
  webhookBase64: boolean;
  /** Signing secret (plaintext in memory, sealed at rest); never returned by the API. */
  secret: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface MessageKey {
  remoteJid: string;
  fromMe: boolean;
  id: string;
  participant?: string;
  [extra: string]: unknown;
}

export type AckStatus = 'ERROR' | 'PENDING' | 'SERVER_ACK' | 'DELIVERY_ACK' | 'READ' | 'PLAYED';
export const ACK_ORDER: AckStatus[] = ['ERROR', 'PENDING', 'SERVER_ACK', 'DELIVERY_ACK', 'READ', 'PLAYED'];

/** A message as stored and as sent in `messages.upsert` / `send.message` data (upstream field names). */
export interface StoredMessage {
  id: string;
  key: MessageKey;
  pushName: string | null;
  participant?: string | null;
  messageType: string;
  message: Record<string, unknown>;
  contextInfo?: Record<string, unknown> | null;
  source: string;
  messageTimestamp: number;
  instanceId: string;
  status: string | null;
}
