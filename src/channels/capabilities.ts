import type { ContentKind } from './content.js';

/** Sending one content type: `send:text`, `send:image`, ... */
export type SendCapability = `send:${ContentKind}`;

/** Families of operations beyond sending; a channel exposes each one it has as an object of its own. */
export const OPERATION_FAMILIES = ['presence', 'receipts', 'numbers', 'profile', 'chats', 'groups', 'privacy', 'labels', 'calls', 'business', 'templates', 'media'] as const;
export type OperationFamily = (typeof OPERATION_FAMILIES)[number];

/** Login and sync features: QR login, pairing-code login, history sync. */
export type FeatureCapability = 'login:qr' | 'login:pairingCode' | 'history';

export type Capability = SendCapability | OperationFamily | FeatureCapability;

export const sendCapability = (kind: ContentKind): SendCapability => `send:${kind}`;

export const ALL_SEND_KINDS: ContentKind[] = ['text', 'image', 'video', 'document', 'audio', 'ptv', 'sticker', 'location', 'contacts', 'reaction', 'poll', 'list', 'buttons', 'template', 'edit', 'delete', 'status'];
