import type { AckStatus } from '../../domain/types.js';
import type { InboundMessage, MessageUpdate } from '../events.js';

/** The `value` of a Cloud API webhook change of field `messages`. */
export interface MessagesValue {
  messaging_product?: string;
  metadata?: { display_phone_number?: string; phone_number_id?: string };
  contacts?: Array<{ wa_id?: string; profile?: { name?: string } }>;
  messages?: MetaMessage[];
  statuses?: MetaStatus[];
  errors?: MetaError[];
}

export interface MetaError {
  code: number;
  title?: string;
  message?: string;
  error_data?: { details?: string };
}

export interface MetaMessage {
  from: string;
  id: string;
  timestamp: string;
  type: string;
  context?: { from?: string; id?: string; forwarded?: boolean };
  errors?: MetaError[];
  [part: string]: unknown;
}

export interface MetaStatus {
  id: string;
  status: 'sent' | 'delivered' | 'read' | 'failed' | string;
  timestamp?: string;
  recipient_id: string;
  errors?: MetaError[];
}

const ACKS: Record<string, AckStatus> = { sent: 'SERVER_ACK', delivered: 'DELIVERY_ACK', read: 'READ' };
const jidOf = (waId: string) => `${waId.replace(/\D/g, '')}@s.whatsapp.net`;
type Part = Record<string, any>;

/** Cloud API messages as WhatsApp (Baileys) messages, so a client sees the same shapes as on the other channels. */
export function inboundMessages(value: MessagesValue): InboundMessage[] {
  const names = new Map((value.contacts ?? []).map((c) => [c.wa_id ?? '', c.profile?.name ?? null]));
  return (value.messages ?? []).map((m) => ({
    key: { remoteJid: jidOf(m.from), fromMe: false, id: m.id },
    pushName: names.get(m.from) ?? null,
    message: contentOf(m),
    messageTimestamp: Number(m.timestamp) || Math.floor(Date.now() / 1000),
    source: 'unknown',
  }));
}

/** Statuses of sent messages: sent/delivered/read as acks, failed as an error update with Meta's code and reason. */
export function statusUpdates(value: MessagesValue): MessageUpdate[] {
  return (value.statuses ?? []).flatMap((s): MessageUpdate[] => {
    const key = { remoteJid: jidOf(s.recipient_id), fromMe: true, id: s.id };
    const at = Number(s.timestamp) || undefined;
    if (s.status === 'failed') {
      const e = s.errors?.[0];
      return [{ type: 'error', key, code: e?.code ?? 0, reason: reasonOf(e) }];
    }
    const status = ACKS[s.status];
    return status ? [{ type: 'ack', key, status, ...(at ? { at } : {}) }] : [];
  });
}

export function reasonOf(e: MetaError | undefined): string {
  if (!e) return 'Meta reported the message as failed without a reason';
  return [e.title ?? e.message, e.error_data?.details].filter(Boolean).join(': ') || `Meta error ${e.code}`;
}

function contentOf(m: MetaMessage): Record<string, unknown> {
  const part = (m[m.type] ?? {}) as Part;
  const contextInfo = m.context?.id ? { stanzaId: m.context.id, participant: m.context.from ? jidOf(m.context.from) : undefined, ...(m.context.forwarded ? { isForwarded: true } : {}) } : undefined;
  const withCtx = (p: Part) => (contextInfo ? { ...p, contextInfo } : p);
  switch (m.type) {
    case 'text':
      return contextInfo ? { extendedTextMessage: { text: part.body ?? '', contextInfo } } : { conversation: part.body ?? '' };
    case 'image':
    case 'video':
    case 'document':
    case 'sticker':
    case 'audio':
      return { [`${m.type}Message`]: withCtx(mediaPart(m.type, part)) };
    case 'location':
      return { locationMessage: withCtx({ degreesLatitude: part.latitude, degreesLongitude: part.longitude, ...(part.name ? { name: part.name } : {}), ...(part.address ? { address: part.address } : {}), ...(part.url ? { url: part.url } : {}) }) };
    case 'contacts': {
      const cards = (m.contacts as Part[] | undefined ?? []).map((c) => ({ displayName: c.name?.formatted_name ?? '', vcard: vcardOf(c) }));
      return cards.length === 1 ? { contactMessage: withCtx(cards[0]!) } : { contactsArrayMessage: withCtx({ displayName: `${cards.length} contacts`, contacts: cards }) };
    }
    case 'reaction':
      return { reactionMessage: { key: { remoteJid: jidOf(m.from), fromMe: true, id: part.message_id }, text: part.emoji ?? '', senderTimestampMs: (Number(m.timestamp) || 0) * 1000 } };
    case 'interactive':
      return interactiveReply(part, contextInfo);
    case 'button':
      // A template's quick-reply button.
      return { buttonsResponseMessage: withCtx({ selectedButtonId: part.payload ?? '', selectedDisplayText: part.text ?? '', type: 'DISPLAY_TEXT' }) };
    default:
      // unsupported / unknown / system / order: kept with Meta's own object and errors, never dropped.
      return { unsupportedMessage: { type: m.type, ...(Object.keys(part).length ? { [m.type]: part } : {}), ...(m.errors ? { errors: m.errors } : {}) } };
  }
}

function mediaPart(type: string, p: Part): Part {
  return {
    mimetype: p.mime_type,
    ...(p.sha256 ? { fileSha256: p.sha256 } : {}),
    ...(p.caption ? { caption: p.caption } : {}),
    ...(p.filename ? { fileName: p.filename } : {}),
    ...(type === 'audio' ? { ptt: p.voice === true } : {}),
    ...(type === 'sticker' ? { isAnimated: p.animated === true } : {}),
    mediaId: p.id,
  };
}

function interactiveReply(p: Part, contextInfo: Part | undefined): Record<string, unknown> {
  const ctx = contextInfo ? { contextInfo } : {};
  if (p.type === 'button_reply') return { buttonsResponseMessage: { selectedButtonId: p.button_reply?.id ?? '', selectedDisplayText: p.button_reply?.title ?? '', type: 'DISPLAY_TEXT', ...ctx } };
  if (p.type === 'list_reply') return { listResponseMessage: { title: p.list_reply?.title ?? '', description: p.list_reply?.description ?? '', listType: 'SINGLE_SELECT', singleSelectReply: { selectedRowId: p.list_reply?.id ?? '' }, ...ctx } };
  // Flows (nfm_reply) and anything newer: the reply as the native flow response WhatsApp Web reports.
  const reply = p[p.type] ?? {};
  return { interactiveResponseMessage: { body: { text: reply.body ?? '' }, nativeFlowResponseMessage: { name: reply.name ?? p.type, paramsJson: reply.response_json ?? JSON.stringify(reply), version: 3 }, ...ctx } };
}

function vcardOf(c: Part): string {
  const name = c.name ?? {};
  const lines = ['BEGIN:VCARD', 'VERSION:3.0', `N:${name.last_name ?? ''};${name.first_name ?? ''};;;`, `FN:${name.formatted_name ?? ''}`];
  if (c.org?.company) lines.push(`ORG:${c.org.company};`);
  for (const phone of (c.phones ?? []) as Part[]) lines.push(phone.wa_id ? `TEL;type=${phone.type ?? 'CELL'};waid=${phone.wa_id}:${phone.phone ?? ''}` : `TEL;type=${phone.type ?? 'CELL'}:${phone.phone ?? ''}`);
  for (const email of (c.emails ?? []) as Part[]) lines.push(`EMAIL;type=${email.type ?? 'INTERNET'}:${email.email ?? ''}`);
  for (const url of (c.urls ?? []) as Part[]) lines.push(`URL:${url.url ?? ''}`);
  lines.push('END:VCARD');
  return lines.join('\n');
}
