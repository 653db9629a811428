import type { AckStatus, ConnectionState, MessageKey } from '../domain/types.js';
import type { Presence, QrCode } from './channel.js';

/** A message from the network, already in the WhatsApp (Baileys) wire shape. */
export interface InboundMessage {
  key: MessageKey;
  pushName: string | null;
  message: Record<string, unknown>;
  messageTimestamp: number;
  source: string;
}

/** `live`: just arrived (notify); `append`: arrived while offline or from another own device; `history`: history sync. */
export type MessageMode = 'live' | 'append' | 'history';

/** What happened to a message already sent or received. `at` is seconds since the epoch, when the platform says. */
export type MessageUpdate =
  | { type: 'ack'; key: MessageKey; status: AckStatus; participant?: string; at?: number }
  | { type: 'edit'; key: MessageKey; message: Record<string, unknown>; at?: number }
  | { type: 'revoke'; key: MessageKey; at?: number }
  | { type: 'reaction'; key: MessageKey; reaction: { text: string; key: MessageKey }; at?: number }
  | { type: 'pollVote'; key: MessageKey; votes: Array<{ voter: string; options: string[] }>; at?: number }
  | { type: 'error'; key: MessageKey; code: number; reason: string };

export interface ChatInfo {
  remoteJid: string;
  name?: string | null;
  unreadMessages?: number;
  archived?: boolean;
}

export interface ContactInfo {
  remoteJid: string;
  pushName?: string | null;
  profilePicUrl?: string | null;
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

/** Everything a channel reports, typed; a channel hands them over in batches, in the order they happened. */
export type ChannelEvent =
  | { type: 'messages'; mode: MessageMode; messages: InboundMessage[]; progress?: number; isLatest?: boolean }
  | { type: 'message.updates'; updates: MessageUpdate[] }
  | { type: 'chats'; action: 'upsert' | 'update' | 'delete'; chats: ChatInfo[] }
  | { type: 'contacts'; action: 'upsert' | 'update'; contacts: ContactInfo[] }
  | { type: 'presence'; remoteJid: string; presence: Presence; participant?: string; lastSeen?: number }
  | { type: 'groups'; action: 'upsert' | 'update'; groups: Array<Record<string, unknown> & { id: string }> }
  | { type: 'group.participants'; groupJid: string; action: 'add' | 'remove' | 'promote' | 'demote'; participants: string[]; author?: string }
  | { type: 'labels'; labels: Array<{ id: string; name: string; color: number; deleted: boolean; predefinedId?: string }> }
  | { type: 'label.association'; action: 'add' | 'remove'; chatId: string; labelId: string }
  | { type: 'call'; call: Record<string, unknown> & { id: string; from: string; status: string } }
  | { type: 'connection'; update: ConnectionUpdate }
  | { type: 'qr'; qr: QrCode | { limitReached: true } }
  | { type: 'credentials'; state: unknown | null };

/** Thrown (rejected) by `deliver` while the gateway holds back: its bounded queue is full. Retry later. */
export class HoldBack extends Error {
  constructor(readonly retryAfterMs: number) {
    super('The gateway is holding back: too much work is waiting for the database');
  }
}

/** What a channel reports to. The domain implements it; channels only call it. */
export interface ChannelListener {
  /**
   * Takes events in order. Resolves once what they change is durable (messages stored, their events in the outbox);
   * rejects with HoldBack, taking nothing, when the instance's queue is full. A channel that gets HoldBack pauses
   * and delivers the same events again later.
   */
  deliver(events: ChannelEvent[]): Promise<void>;
}
