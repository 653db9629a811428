import { randomBytes, randomUUID } from 'node:crypto';
import type { Button, MediaSource, Outbound, OutboundContent, SendOptions } from '../content.js';
import type { RenderedTemplate } from '../operations/templates.js';

/**
 * Outbound content as WhatsApp message content (the Baileys proto JSON shape), for channels that speak WhatsApp's own
 * message format. Media carries its URL, or the size and hash of bytes given inline (uploading is the channel's part).
 */
export function toWhatsAppMessage(out: Outbound): Record<string, unknown> {
  return build(out.content, contextInfoOf(out.options), out.options);
}

export function contextInfoOf(o: SendOptions): Record<string, unknown> | undefined {
  const info: Record<string, unknown> = {};
  if (o.quoted) {
    info.stanzaId = o.quoted.key.id;
    if (o.quoted.key.remoteJid) info.participant = o.quoted.key.participant ?? o.quoted.key.remoteJid;
    info.quotedMessage = o.quoted.message;
  }
  if (o.mentions?.length) info.mentionedJid = o.mentions;
  return Object.keys(info).length ? info : undefined;
}

function build(c: OutboundContent, ctx: Record<string, unknown> | undefined, o: SendOptions): Record<string, unknown> {
  const withCtx = <T extends Record<string, unknown>>(m: T) => (ctx ? { ...m, contextInfo: ctx } : m);
  switch (c.kind) {
    case 'text': {
      const preview = o.linkPreview ? linkPreviewOf(c.text) : undefined;
      return ctx || preview ? { extendedTextMessage: { text: c.text, ...preview, ...(ctx ? { contextInfo: ctx } : {}) } } : { conversation: c.text };
    }
    case 'image':
    case 'video':
      return { [`${c.kind}Message`]: withCtx({ ...media(c.media), mimetype: c.mimetype ?? (c.kind === 'image' ? 'image/jpeg' : 'video/mp4'), ...(c.caption ? { caption: c.caption } : {}) }) };
    case 'document':
      return { documentMessage: withCtx({ ...media(c.media), mimetype: c.mimetype ?? 'application/octet-stream', fileName: c.fileName ?? 'file', ...(c.caption ? { caption: c.caption } : {}) }) };
    case 'audio':
      return { audioMessage: withCtx({ ...media(c.media), mimetype: c.mimetype ?? (c.voiceNote ? 'audio/ogg; codecs=opus' : 'audio/mpeg'), ptt: c.voiceNote }) };
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
      // The secret is the key votes are encrypted with; it travels in messageContextInfo, as Baileys sends it.
      return {
        messageContextInfo: { messageSecret: randomBytes(32).toString('base64') },
        pollCreationMessage: withCtx({ name: c.name, options: c.values.map((optionName) => ({ optionName })), selectableOptionsCount: c.selectableCount }),
      };
    case 'list':
      return {
        listMessage: withCtx({
          title: c.title,
          description: c.description ?? '',
          buttonText: c.buttonText,
          footerText: c.footerText ?? '',
          listType: 'SINGLE_SELECT',
          sections: c.sections.map((s) => ({ title: s.title, rows: s.rows.map((r) => ({ title: r.title, description: r.description ?? '', rowId: r.rowId })) })),
        }),
      };
    case 'buttons':
      return { interactiveMessage: withCtx(interactive(c)) };
    case 'template':
      return { templateMessage: c.rendered ? hydratedTemplate(c.rendered) : { name: c.name, language: c.language, components: c.components ?? [] } };
    case 'edit': {
      const editedMessage = c.media ? { [c.media.type]: { ...c.media.content, caption: c.text } } : { conversation: c.text };
      return { protocolMessage: { key: c.key, type: 'MESSAGE_EDIT', editedMessage, timestampMs: Date.now() } };
    }
    case 'delete':
      return { protocolMessage: { key: c.key, type: 'REVOKE' } };
    case 'status':
      if (c.type === 'text') return { extendedTextMessage: { text: c.content, ...(c.backgroundColor ? { backgroundArgb: argb(c.backgroundColor) } : {}), ...(c.font !== undefined ? { font: c.font } : {}) } };
      return { [`${c.type}Message`]: { ...(c.media ? media(c.media) : { url: c.content }), ...(c.type === 'audio' && c.media ? { ptt: true } : {}), ...(c.caption ? { caption: c.caption } : {}) } };
  }
}

/** The media fields of a WhatsApp media message: the platform's upload (or the store's URL), size, hash, preview. */
function media(s: MediaSource): Record<string, unknown> {
  const url = s.url ?? s.mediaUrl;
  return {
    ...(url ? { url } : {}),
    mimetype: s.mimetype,
    fileSha256: s.fileSha256,
    fileLength: s.fileLength,
    ...(s.height !== undefined ? { height: s.height, width: s.width } : {}),
    ...(s.seconds !== undefined ? { seconds: s.seconds } : {}),
    ...(s.mediaKey ? { mediaKey: s.mediaKey } : {}),
    ...(s.directPath ? { directPath: s.directPath } : {}),
    mediaKeyTimestamp: Math.floor(Date.now() / 1000),
    ...(s.jpegThumbnail ? { jpegThumbnail: s.jpegThumbnail } : {}),
  };
}

/** A rendered template as WhatsApp's hydrated template message. */
function hydratedTemplate(t: RenderedTemplate): Record<string, unknown> {
  const hydratedButtons = t.buttons.map((b) =>
    b.type === 'URL' ? { index: b.index, urlButton: { displayText: b.text, url: b.url } } : b.type === 'PHONE_NUMBER' ? { index: b.index, callButton: { displayText: b.text, phoneNumber: b.phoneNumber } } : { index: b.index, quickReplyButton: { displayText: b.text, id: `${t.templateId}-${b.index}` } },
  );
  return { templateId: t.templateId, hydratedTemplate: { templateId: t.templateId, ...(t.title ? { hydratedTitleText: t.title } : {}), hydratedContentText: t.text, ...(t.footer ? { hydratedFooterText: t.footer } : {}), hydratedButtons } };
}

function vcard(c: { fullName: string; phoneNumber: string; wuid?: string; organization?: string; email?: string; url?: string }): string {
  const wuid = c.wuid ?? c.phoneNumber.replace(/\D/g, '');
  const lines = ['BEGIN:VCARD', 'VERSION:3.0', `N:${c.fullName}`, `FN:${c.fullName}`];
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

/** The preview fields Baileys puts on a text whose first URL it previewed; the page itself is not fetched here. */
function linkPreviewOf(text: string): Record<string, unknown> | undefined {
  const match = /https?:\/\/[^\s]+/.exec(text);
  const url = match?.[0].replace(/[.,);\]]+$/u, '');
  if (!url) return undefined;
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return undefined;
  }
  return { matchedText: url, canonicalUrl: url, title: host, description: '', previewType: 'NONE' };
}

/** WhatsApp's native-flow buttons: one (name, params JSON) pair per button, as Baileys relays them. */
const NATIVE_FLOW_NAMES: Record<Button['type'], string> = { reply: 'quick_reply', copy: 'cta_copy', url: 'cta_url', call: 'cta_call', pix: 'payment_info' };
const PIX_KEY_TYPES: Record<string, string> = { phone: 'PHONE', email: 'EMAIL', cpf: 'CPF', cnpj: 'CNPJ', random: 'EVP' };

function interactive(c: Extract<OutboundContent, { kind: 'buttons' }>): Record<string, unknown> {
  const nativeFlowMessage = {
    buttons: c.buttons.map((b) => ({ name: NATIVE_FLOW_NAMES[b.type], buttonParamsJson: JSON.stringify(buttonParams(b)) })),
    messageParamsJson: JSON.stringify({ from: 'api', templateId: randomUUID() }),
  };
  // A payment (PIX) button goes alone, without body, footer or header.
  if (c.buttons.some((b) => b.type === 'pix')) return { nativeFlowMessage };
  const text = [c.title ? `*${c.title}*` : '', c.description ?? ''].filter(Boolean).join('\n\n');
  return {
    body: { text },
    ...(c.footer ? { footer: { text: c.footer } } : {}),
    ...(c.thumbnailUrl ? { header: { hasMediaAttachment: true, imageMessage: { url: c.thumbnailUrl, mimetype: 'image/jpeg' } } } : {}),
    nativeFlowMessage,
  };
}

function buttonParams(b: Button): Record<string, unknown> {
  switch (b.type) {
    case 'reply':
      return { display_text: b.displayText, id: b.id };
    case 'copy':
      return { display_text: b.displayText, copy_code: b.copyCode };
    case 'url':
      return { display_text: b.displayText, url: b.url, merchant_url: b.url };
    case 'call':
      return { display_text: b.displayText, phone_number: b.phoneNumber };
    case 'pix': {
      const zero = { value: 0, offset: 100 };
      return {
        currency: b.currency,
        total_amount: zero,
        reference_id: randomBytes(8).toString('hex').slice(0, 11).toUpperCase(),
        type: 'physical-goods',
        order: { status: 'pending', subtotal: zero, order_type: 'ORDER', items: [{ name: '', amount: zero, quantity: 0, sale_amount: zero }] },
        payment_settings: [{ type: 'pix_static_code', pix_static_code: { merchant_name: b.name, key: b.key, key_type: PIX_KEY_TYPES[String(b.keyType)] } }],
        share_payment_status: false,
      };
    }
  }
}
