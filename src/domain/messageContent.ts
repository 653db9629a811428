/** Helpers over WhatsApp message objects (the Baileys proto JSON shape). */

const WRAPPERS = ['ephemeralMessage', 'viewOnceMessage', 'viewOnceMessageV2', 'documentWithCaptionMessage'];
const MEDIA_TYPES = ['imageMessage', 'videoMessage', 'audioMessage', 'documentMessage', 'stickerMessage', 'ptvMessage'];

/** The message type: the first content key, skipping metadata. */
export function messageTypeOf(message: Record<string, unknown>): string {
  const key = Object.keys(message).find((k) => k !== 'messageContextInfo' && k !== 'base64' && k !== 'mediaUrl');
  if (!key) return 'unknown';
  if (WRAPPERS.includes(key)) {
    const inner = (message[key] as { message?: Record<string, unknown> } | undefined)?.message;
    if (inner) return messageTypeOf(inner);
  }
  return key;
}

export function isMediaType(type: string): boolean {
  return MEDIA_TYPES.includes(type);
}

/** The contextInfo (quote, mentions) carried inside the content, if any. */
export function contextInfoOf(message: Record<string, unknown>, type: string): Record<string, unknown> | null {
  const content = message[type];
  if (content && typeof content === 'object' && 'contextInfo' in content) return (content as { contextInfo: Record<string, unknown> }).contextInfo ?? null;
  return null;
}

/** Plain text of a message, when it has one. */
export function textOf(message: Record<string, unknown>): string | undefined {
  if (typeof message.conversation === 'string') return message.conversation;
  const ext = message.extendedTextMessage as { text?: string } | undefined;
  if (ext?.text) return ext.text;
  for (const t of MEDIA_TYPES) {
    const caption = (message[t] as { caption?: string } | undefined)?.caption;
    if (caption) return caption;
  }
  return undefined;
}

/** Guesses the sending device from the message id pattern, as WhatsApp clients format them. */
export function sourceOfId(id: string): string {
  if (/^3A/.test(id)) return 'ios';
  if (/^3E/.test(id) && id.length === 20) return 'web';
  if (/^3EB0/.test(id)) return 'web';
  if (/^[0-9A-F]{32}$/.test(id) || /^BAE5/.test(id)) return 'android';
  return 'unknown';
}
