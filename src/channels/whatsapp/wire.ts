import { createHash } from 'node:crypto';
import type { MediaSource, Outbound, OutboundContent, SendOptions } from '../content.js';

/**
 * Outbound content as WhatsApp message content (the Baileys proto JSON shape), for channels that speak WhatsApp's own
 * message format. Media carries its URL, or the size and hash of bytes given inline (uploading is the channel's part).
 */
export function toWhatsAppMessage(out: Outbound): Record<string, unknown> {
  return build(out.content, contextInfoOf(out.options));
}

export function contextInfoOf(o: SendOptions): Record<string, unknown> | undefined {
  const info: Record<string, unknown> = {};
  if (o.quoted) {
    info.stanzaId = o.quoted.key.id;
    if (o.quoted.key.remoteJid) info.participant = o.quoted.key.participant ?? o.quoted.key.remoteJid;
    info.quotedMessage = o.quoted.message;
  }
  if (o.mentions?.length) info.mentionedJid = o.mentions;
  if (o.mentionsEveryOne) info.mentionsEveryOne = true;
  return Object.keys(info).length ? info : undefined;
}

function build(c: OutboundContent, ctx: Record<string, unknown> | undefined): Record<string, unknown> {
  const withCtx = <T extends Record<string, unknown>>(m: T) => (ctx ? { ...m, contextInfo: ctx } : m);
  switch (c.kind) {
    case 'text':
      return ctx ? { extendedTextMessage: { text: c.text, contextInfo: ctx } } : { conversation: c.text };
    case 'image':
    case 'video':
      return { [`${c.kind}Message`]: withCtx({ ...media(c.media), mimetype: c.mimetype ?? (c.kind === 'image' ? 'image/jpeg' : 'video/mp4'), ...(c.caption ? { caption: c.caption } : {}) }) };
    case 'document':
      return { documentMessage: withCtx({ ...media(c.media), mimetype: c.mimetype ?? 'application/octet-stream', fileName: c.fileName ?? 'file', ...(c.caption ? { caption: c.caption } : {}) }) };
    case 'audio':
      return { audioMessage: withCtx({ ...media(c.media), mimetype: c.voiceNote ? 'audio/ogg; codecs=opus' : (c.mimetype ?? 'audio/mpeg'), ptt: c.voiceNote }) };
    case 'ptv':
      return { ptvMessage: withCtx({ ...media(c.media), mimetype: 'video/mp4' }) };
    case 'sticker':
      return { stickerMessage: withCtx({ ...media(c.media), mimetype: 'image/webp' }) };
    case 'location':
      return { locationMessage: withCtx({ degreesLatitude: c.latitude, degreesLongitude: c.longitude, ...(c.name ? { name: c.name } : {}), ...(c.address ? { address: c.address } : {}) }) };
    case 'contacts': {
      const cards = c.contacts.map((card) => ({ displayName: card.fullName, vcard: vcard(card) }));
      return cards.length === 1 ? { contactMessage: withCtx(cards[0]!) } : { contactsArrayMessage: withCtx({ displayName: `${cards.length} contacts`, contacts: cards }) };
    }
    case 'reaction':
      return { reactionMessage: { key: c.key, text: c.emoji, senderTimestampMs: Date.now() } };
    case 'poll':
      return { pollCreationMessage: withCtx({ name: c.name, options: c.values.map((optionName) => ({ optionName })), selectableOptionsCount: c.selectableCount }) };
    case 'list':
      return { listMessage: withCtx({ title: c.title, description: c.description ?? '', buttonText: c.buttonText, footerText: c.footerText ?? '', listType: 'SINGLE_SELECT', sections: c.sections }) };
    case 'buttons':
      return {
        buttonsMessage: withCtx({
          text: c.title ?? '',
          contentText: c.description ?? '',
          footerText: c.footer ?? '',
          headerType: 1,
          buttons: c.buttons.map((b, i) => ({ buttonId: b.id ?? `btn-${i + 1}`, buttonText: { displayText: b.displayText ?? '' }, type: 1, nativeType: b.type })),
        }),
      };
    case 'template':
      return { templateMessage: { name: c.name, language: c.language, components: c.components ?? [] } };
    case 'edit':
      return { protocolMessage: { key: c.key, type: 'MESSAGE_EDIT', editedMessage: { conversation: c.text }, timestampMs: Date.now() } };
    case 'delete':
      return { protocolMessage: { key: c.key, type: 'REVOKE' } };
    case 'status':
      if (c.type === 'text') return { extendedTextMessage: { text: c.content, ...(c.backgroundColor ? { backgroundArgb: argb(c.backgroundColor) } : {}), ...(c.font !== undefined ? { font: c.font } : {}) } };
      return { [`${c.type}Message`]: { url: c.content, ...(c.caption ? { caption: c.caption } : {}) } };
  }
}

function media(source: MediaSource): Record<string, unknown> {
  if ('url' in source) return { url: source.url };
  return { fileLength: source.data.length, fileSha256: createHash('sha256').update(source.data).digest('base64') };
}

function vcard(c: { fullName: string; phoneNumber: string; wuid?: string; organization?: string; email?: string; url?: string }): string {
  const wuid = c.wuid ?? c.phoneNumber.replace(/\D/g, '');
  const lines = ['BEGIN:VCARD', 'VERSION:3.0', `FN:${c.fullName}`];
  if (c.organization) lines.push(`ORG:${c.organization};`);
  if (c.email) lines.push(`EMAIL:${c.email}`);
  if (c.url) lines.push(`URL:${c.url}`);
  lines.push(`item1.TEL;waid=${wuid}:${c.phoneNumber}`, 'item1.X-ABLabel:Celular', 'END:VCARD');
  return lines.join('\n');
}

function argb(hex: string): number {
  const v = parseInt(hex.replace('#', '').padStart(6, '0').slice(-6), 16);
  return (0xff000000 | v) >>> 0;
}
