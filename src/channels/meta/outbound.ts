import type { Button, ContactCard, MediaSource, Outbound, OutboundContent } from '../content.js';
import { ChannelError } from '../errors.js';
import { jidUser } from '../../domain/jid.js';

/** A Cloud API media object: an uploaded media id, or a link Graph fetches (the media store's signed URL). */
export function mediaObject(m: MediaSource): { id: string } | { link: string } {
  if (m.mediaId) return { id: m.mediaId };
  if (m.mediaUrl) return { link: m.mediaUrl };
  throw new ChannelError('The media has neither a Cloud API media id nor a URL Graph can fetch');
}

/** The body of `POST /<phone number id>/messages` for one outbound message (Cloud API message object). */
/** `language`: WA_BUSINESS_LANGUAGE, for a template send that names none. */
export function graphMessage(out: Outbound, language = 'en_US'): Record<string, unknown> {
  const base: Record<string, unknown> = { messaging_product: 'whatsapp', recipient_type: 'individual', to: jidUser(out.remoteJid) };
  if (out.options.quoted && out.content.kind !== 'reaction') base.context = { message_id: out.options.quoted.key.id };
  return { ...base, ...contentOf(out.content, out.options.linkPreview ?? false, language) };
}

function contentOf(c: OutboundContent, linkPreview: boolean, language: string): Record<string, unknown> {
  switch (c.kind) {
    case 'text':
      return { type: 'text', text: { preview_url: linkPreview, body: c.text } };
    case 'image':
    case 'video':
      return { type: c.kind, [c.kind]: { ...mediaObject(c.media), ...(c.caption ? { caption: c.caption } : {}) } };
    case 'document':
      return { type: 'document', document: { ...mediaObject(c.media), ...(c.caption ? { caption: c.caption } : {}), ...(c.fileName ? { filename: c.fileName } : {}) } };
    case 'audio':
      return { type: 'audio', audio: mediaObject(c.media) };
    case 'sticker':
      return { type: 'sticker', sticker: mediaObject(c.media) };
    case 'location':
      return { type: 'location', location: { latitude: c.latitude, longitude: c.longitude, ...(c.name ? { name: c.name } : {}), ...(c.address ? { address: c.address } : {}) } };
    case 'contacts':
      return { type: 'contacts', contacts: c.contacts.map(contactOf) };
    case 'reaction':
      return { type: 'reaction', reaction: { message_id: c.key.id, emoji: c.emoji } };
    case 'list':
      return {
        type: 'interactive',
        interactive: {
          type: 'list',
          ...(c.title ? { header: { type: 'text', text: c.title } } : {}),
          body: { text: c.description || c.title },
          ...(c.footerText ? { footer: { text: c.footerText } } : {}),
          action: { button: c.buttonText, sections: c.sections.map((s) => ({ title: s.title, rows: s.rows.map((r) => ({ id: r.rowId, title: r.title, ...(r.description ? { description: r.description } : {}) })) })) },
        },
      };
    case 'buttons':
      return { type: 'interactive', interactive: interactiveButtons(c) };
    case 'template':
      return { type: 'template', template: { name: c.name, language: { code: c.language || language }, ...(c.components?.length ? { components: c.components } : {}) } };
    default:
      throw new ChannelError(`The Cloud API cannot send ${c.kind} messages`);
  }
}

/** Reply buttons (up to 3), or one URL button as a call-to-action: what the Cloud API's interactive messages allow. */
function interactiveButtons(c: Extract<OutboundContent, { kind: 'buttons' }>): Record<string, unknown> {
  const head = {
    ...(c.title ? { header: { type: 'text', text: c.title } } : {}),
    body: { text: c.description || c.title || ' ' },
    ...(c.footer ? { footer: { text: c.footer } } : {}),
  };
  if (c.buttons.every((b) => b.type === 'reply')) {
    if (c.buttons.length > 3) throw new ChannelError('The Cloud API sends at most 3 reply buttons');
    return { type: 'button', ...head, action: { buttons: c.buttons.map((b, i) => ({ type: 'reply', reply: { id: b.id ?? String(i), title: label(b) } })) } };
  }
  const [url] = c.buttons;
  if (c.buttons.length === 1 && url?.type === 'url' && url.url) return { type: 'cta_url', ...head, action: { name: 'cta_url', parameters: { display_text: label(url), url: url.url } } };
  throw new ChannelError('The Cloud API sends either reply buttons (up to 3) or one URL button');
}

const label = (b: Button) => b.displayText ?? b.id ?? '';

function contactOf(card: ContactCard): Record<string, unknown> {
  const [first, ...rest] = card.fullName.split(' ');
  const digits = card.phoneNumber.replace(/\D/g, '');
  return {
    name: { formatted_name: card.fullName, first_name: first ?? card.fullName, ...(rest.length ? { last_name: rest.join(' ') } : {}) },
    phones: [{ phone: card.phoneNumber, type: 'CELL', wa_id: card.wuid?.split('@')[0] ?? digits }],
    ...(card.organization ? { org: { company: card.organization } } : {}),
    ...(card.email ? { emails: [{ email: card.email, type: 'WORK' }] } : {}),
    ...(card.url ? { urls: [{ url: card.url, type: 'WORK' }] } : {}),
  };
}

/** `POST /<phone number id>/messages` marking a received message read (blue ticks). */
export function readReceipt(messageId: string): Record<string, unknown> {
  return { messaging_product: 'whatsapp', status: 'read', message_id: messageId };
}
