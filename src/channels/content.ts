import type { MessageKey } from '../domain/types.js';
import type { RenderedTemplate } from './operations/templates.js';

/**
 * Media ready to send: its bytes are in the gateway's media store under `storageKey`; the rest is what WhatsApp's
 * message carries about it (Baileys proto JSON fields). `url`, `directPath` and `mediaKey` are the platform's, set once
 * the channel uploaded the bytes (MediaOps.upload); a channel without an upload step sends `mediaUrl` instead.
 */
export interface MediaSource {
  storageKey: string;
  mimetype: string;
  fileLength: number;
  /** SHA-256 of the bytes, base64. */
  fileSha256: string;
  width?: number;
  height?: number;
  seconds?: number;
  /** A small JPEG preview, base64. */
  jpegThumbnail?: string;
  /** A voice note's 64 loudness levels (0-100), base64. */
  waveform?: string;
  /** A URL of the gateway's store that fetches the bytes without an API key (presigned or signed). */
  mediaUrl?: string;
  url?: string;
  directPath?: string;
  mediaKey?: string;
  /** The Cloud API's media id, once uploaded to Graph. */
  mediaId?: string;
}

export interface ContactCard {
  fullName: string;
  phoneNumber: string;
  wuid?: string;
  organization?: string;
  email?: string;
  url?: string;
}

export interface ListSection {
  title: string;
  rows: Array<{ title: string; description?: string; rowId: string }>;
}

export interface Button {
  type: 'reply' | 'copy' | 'url' | 'call' | 'pix';
  displayText?: string;
  id?: string;
  url?: string;
  copyCode?: string;
  phoneNumber?: string;
  [field: string]: unknown;
}

/** Everything a client can send, one variant per content type; `kind` names the capability a channel needs for it. */
export type OutboundContent =
  | { kind: 'text'; text: string }
  | { kind: 'image' | 'video' | 'document'; media: MediaSource; mimetype?: string; fileName?: string; caption?: string }
  | { kind: 'audio'; media: MediaSource; mimetype?: string; voiceNote: boolean }
  | { kind: 'ptv'; media: MediaSource }
  | { kind: 'sticker'; media: MediaSource }
  | { kind: 'location'; latitude: number; longitude: number; name?: string; address?: string }
  | { kind: 'contacts'; contacts: ContactCard[] }
  | { kind: 'reaction'; key: MessageKey; emoji: string }
  | { kind: 'poll'; name: string; values: string[]; selectableCount: number }
  | { kind: 'list'; title: string; description?: string; footerText?: string; buttonText: string; sections: ListSection[] }
  | { kind: 'buttons'; title?: string; description?: string; footer?: string; thumbnailUrl?: string; buttons: Button[] }
  /** `rendered`: what the recipient reads, when the channel renders templates itself (the sandbox; Meta renders server-side). */
  | { kind: 'template'; name: string; language: string; components?: unknown[]; rendered?: RenderedTemplate }
  /** `media`: the original image or video whose caption the edit replaces (else the edit is a new text). */
  | { kind: 'edit'; key: MessageKey; text: string; media?: { type: 'imageMessage' | 'videoMessage'; content: Record<string, unknown> } }
  | { kind: 'delete'; key: MessageKey }
  | { kind: 'status'; type: 'text' | 'image' | 'video' | 'audio'; content: string; media?: MediaSource; caption?: string; backgroundColor?: string; font?: number; statusJidList: string[] };

export type ContentKind = OutboundContent['kind'];

/** The fields every send takes besides its content. */
export interface SendOptions {
  /** The quoted message, resolved to its stored content. */
  quoted?: { key: { id: string; remoteJid?: string; fromMe?: boolean; participant?: string }; message: Record<string, unknown> };
  mentions?: string[];
  mentionsEveryOne?: boolean;
  linkPreview?: boolean;
  /** Message id to use instead of a fresh one (the client's, or a retry's). */
  keyId?: string;
}

/** One message to send: to whom (a JID), what, and how. */
export interface Outbound {
  remoteJid: string;
  content: OutboundContent;
  options: SendOptions;
}

/** What the channel actually put on the wire: storage records this, never a reconstruction. */
export interface SentMessage {
  key: MessageKey;
  messageTimestamp: number;
  /** The WhatsApp message content as sent (Baileys proto JSON shape). */
  message: Record<string, unknown>;
  /** Set when the platform answers with a different first status than PENDING. */
  status?: string;
}
